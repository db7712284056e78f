"""The SCAN family and the iterators built on it."""


class ScanCommands(object):
    """The SCAN family and the iterators built on it."""
