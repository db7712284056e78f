"""Commands on streams: XADD, XREAD, XREADGROUP, XGROUP, ..."""


class StreamCommands(object):
    """Commands on streams: XADD, XREAD, XREADGROUP, XGROUP, ..."""
