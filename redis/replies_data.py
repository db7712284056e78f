"""Reply conversions of the data commands added after Redis 3.0 (streams,
sorted sets, lists, strings, keys, hashes, sets, geo), in the shapes
today's redis-py returns."""

DATA_CALLBACKS = {}
