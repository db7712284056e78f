"""The CLUSTER command and its subcommands."""


class ClusterCommands(object):
    """The CLUSTER command and its subcommands."""

    def cluster(self, cluster_arg, *args):
        """Send CLUSTER ``cluster_arg`` (e.g. 'info', 'nodes', 'slots')
        with ``args``; the reply is shaped by that subcommand's callback."""
        return self.execute_command('CLUSTER %s' % cluster_arg.upper(), *args)
