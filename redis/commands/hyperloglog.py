"""Commands on HyperLogLogs: PFADD, PFCOUNT, PFMERGE."""


class HyperLogLogCommands(object):
    """Commands on HyperLogLogs: PFADD, PFCOUNT, PFMERGE."""

    def pfadd(self, name, *values):
        "Add ``values`` to the HyperLogLog ``name``; 1 if its estimate changed"
        return self.execute_command('PFADD', name, *values)

    def pfcount(self, *sources):
        "The estimated number of distinct items in the union of ``sources``"
        return self.execute_command('PFCOUNT', *sources)

    def pfmerge(self, dest, *sources):
        "Merge the HyperLogLogs ``sources`` into ``dest``"
        return self.execute_command('PFMERGE', dest, *sources)
