"""Commands understood by a Sentinel process: SENTINEL MASTERS, ..."""
import warnings


class SentinelCommands(object):
    """Commands understood by a Sentinel process: SENTINEL MASTERS, ..."""

    def sentinel(self, *args):
        "Deprecated: warns and sends nothing, as 2.10.6 did"
        # code written for 2.10.6 may call it and rely on nothing being
        # sent: SENTINEL REMOVE or RESET would change the sentinels
        warnings.warn(
            DeprecationWarning('Use the individual sentinel_* methods'))

    def sentinel_get_master_addr_by_name(self, service_name):
        "The (host, port) of the master of ``service_name``"
        return self.execute_command('SENTINEL GET-MASTER-ADDR-BY-NAME',
                                    service_name)

    def sentinel_master(self, service_name):
        "The state of the master of ``service_name``, as a dict"
        return self.execute_command('SENTINEL MASTER', service_name)

    def sentinel_masters(self):
        "The state of every monitored master, as a dict keyed by name"
        return self.execute_command('SENTINEL MASTERS')

    def sentinel_monitor(self, name, ip, port, quorum):
        "Start monitoring the master at ``ip``:``port`` as ``name``"
        return self.execute_command('SENTINEL MONITOR', name, ip, port, quorum)

    def sentinel_remove(self, name):
        "Stop monitoring the master ``name``"
        return self.execute_command('SENTINEL REMOVE', name)

    def sentinel_sentinels(self, service_name):
        "The other sentinels watching ``service_name``, as a list of dicts"
        return self.execute_command('SENTINEL SENTINELS', service_name)

    def sentinel_set(self, name, option, value):
        "Set the monitoring option ``option`` of master ``name`` to ``value``"
        return self.execute_command('SENTINEL SET', name, option, value)

    def sentinel_slaves(self, service_name):
        "The replicas of the master of ``service_name``, as a list of dicts"
        return self.execute_command('SENTINEL SLAVES', service_name)
