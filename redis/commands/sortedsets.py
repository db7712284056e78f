"""Commands on sorted sets: ZADD, ZRANGE, ZSCORE, ..."""


class SortedSetCommands(object):
    """Commands on sorted sets: ZADD, ZRANGE, ZSCORE, ..."""
