"""Commands on lists: LPUSH, LRANGE, BLPOP, ..."""


class ListCommands(object):
    """Commands on lists: LPUSH, LRANGE, BLPOP, ..."""
