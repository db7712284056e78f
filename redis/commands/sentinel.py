"""Commands understood by a Sentinel process: SENTINEL MASTERS, ..."""


class SentinelCommands(object):
    """Commands understood by a Sentinel process: SENTINEL MASTERS, ..."""
