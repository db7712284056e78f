"""Commands on hashes: HSET, HGETALL, HINCRBY, ..."""


class HashCommands(object):
    """Commands on hashes: HSET, HGETALL, HINCRBY, ..."""
