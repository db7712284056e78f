"""Commands on HyperLogLogs: PFADD, PFCOUNT, PFMERGE."""


class HyperLogLogCommands(object):
    """Commands on HyperLogLogs: PFADD, PFCOUNT, PFMERGE."""
