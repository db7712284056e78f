"""Commands understood by a Sentinel process: SENTINEL MASTERS, ..."""
from __future__ import annotations

import warnings

from redis.typing import EncodableT, ResponseT


class SentinelCommands(object):
    """Commands understood by a Sentinel process: SENTINEL MASTERS, ..."""

    def sentinel(self, *args: EncodableT) -> ResponseT:
        "Deprecated: warns and sends nothing, as 2.10.6 did"
        # code written for 2.10.6 may call it and rely on nothing being
        # sent: SENTINEL REMOVE or RESET would change the sentinels
        warnings.warn(
            DeprecationWarning('Use the individual sentinel_* methods'))

    def sentinel_get_master_addr_by_name(self, service_name: str) -> ResponseT:
        "The (host, port) of the master of ``service_name``"
        return self.execute_command('SENTINEL GET-MASTER-ADDR-BY-NAME',
                                    service_name)

    def sentinel_master(self, service_name: str) -> ResponseT:
        "The state of the master of ``service_name``, as a dict"
        return self.execute_command('SENTINEL MASTER', service_name)

    def sentinel_masters(self) -> ResponseT:
        "The state of every monitored master, as a dict keyed by name"
        return self.execute_command('SENTINEL MASTERS')

    def sentinel_monitor(self, name: str, ip: str, port: int,
                         quorum: int) -> ResponseT:
        "Start monitoring the master at ``ip``:``port`` as ``name``"
        return self.execute_command('SENTINEL MONITOR', name, ip, port, quorum)

    def sentinel_remove(self, name: str) -> ResponseT:
        "Stop monitoring the master ``name``"
        return self.execute_command('SENTINEL REMOVE', name)

    def sentinel_sentinels(self, service_name: str) -> ResponseT:
        "The other sentinels watching ``service_name``, as a list of dicts"
        return self.execute_command('SENTINEL SENTINELS', service_name)

    def sentinel_set(self, name: str, option: str,
                     value: EncodableT) -> ResponseT:
        "Set the monitoring option ``option`` of master ``name`` to ``value``"
        return self.execute_command('SENTINEL SET', name, option, value)

    def sentinel_slaves(self, service_name: str) -> ResponseT:
        "The replicas of the master of ``service_name``, as a list of dicts"
        return self.execute_command('SENTINEL SLAVES', service_name)
