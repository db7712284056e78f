"""Commands on HyperLogLogs: PFADD, PFCOUNT, PFMERGE."""
from __future__ import annotations

from redis.typing import EncodableT, KeyT, ResponseT


class HyperLogLogCommands(object):
    """Commands on HyperLogLogs: PFADD, PFCOUNT, PFMERGE."""

    def pfadd(self, name: KeyT, *values: EncodableT) -> ResponseT:
        "Add ``values`` to the HyperLogLog ``name``; 1 if its estimate changed"
        return self.execute_command('PFADD', name, *values)

    def pfcount(self, *sources: KeyT) -> ResponseT:
        "The estimated number of distinct items in the union of ``sources``"
        return self.execute_command('PFCOUNT', *sources)

    def pfmerge(self, dest: KeyT, *sources: KeyT) -> ResponseT:
        "Merge the HyperLogLogs ``sources`` into ``dest``"
        return self.execute_command('PFMERGE', dest, *sources)
