"""The CLUSTER command and its subcommands."""


class ClusterCommands(object):
    """The CLUSTER command and its subcommands."""
