"""The CLUSTER command and its subcommands."""
from __future__ import annotations

from typing import Optional

from redis.typing import EncodableT, KeyT, ResponseT, TargetNodesT


class ClusterCommands(object):
    """The CLUSTER command and its subcommands."""

    def cluster(self, cluster_arg: str, *args: EncodableT) -> ResponseT:
        """Send CLUSTER ``cluster_arg`` (e.g. 'info', 'nodes', 'slots')
        with ``args``; the reply is shaped by that subcommand's callback."""
        return self.execute_command('CLUSTER %s' % cluster_arg.upper(), *args)


class ClusterManagementCommands(object):
    """CLUSTER subcommands of a RedisCluster client (today's redis-py names),
    each sent to the node(s) it concerns: ``target_node(s)`` where the
    command is about a node, the slot's owner where it is about a slot."""

    def cluster_myid(self, target_node: TargetNodesT) -> ResponseT:
        "The node id of ``target_node``"
        return self.execute_command('CLUSTER MYID', target_nodes=target_node)

    def cluster_myshardid(
            self, target_nodes: Optional[TargetNodesT] = None,
    ) -> ResponseT:
        "The shard id of the node (Redis 7.2)"
        return self.execute_command('CLUSTER MYSHARDID',
                                    target_nodes=target_nodes)

    def cluster_addslots(self, target_node: TargetNodesT,
                         *slots: int) -> ResponseT:
        "Assign ``slots`` to ``target_node``"
        return self.execute_command('CLUSTER ADDSLOTS', *slots,
                                    target_nodes=target_node)

    def cluster_addslotsrange(self, target_node: TargetNodesT,
                              *slots: int) -> ResponseT:
        "Assign the ranges ``first, last, first, last...`` to the node"
        return self.execute_command('CLUSTER ADDSLOTSRANGE', *slots,
                                    target_nodes=target_node)

    def cluster_countkeysinslot(self, slot_id: int) -> ResponseT:
        "The number of keys in slot ``slot_id`` (asked of its owner)"
        return self.execute_command('CLUSTER COUNTKEYSINSLOT', slot_id)

    def cluster_count_failure_report(self, node_id: str) -> ResponseT:
        "How many nodes report ``node_id`` as failing"
        return self.execute_command('CLUSTER COUNT-FAILURE-REPORTS', node_id)

    def cluster_delslots(self, *slots: int) -> ResponseT:
        "Unassign each of ``slots`` on its owner; a reply per slot"
        return [self.execute_command('CLUSTER DELSLOTS', slot)
                for slot in slots]

    def cluster_delslotsrange(self, *slots: int) -> ResponseT:
        "Unassign the ranges ``first, last, ...`` (Redis 7)"
        return self.execute_command('CLUSTER DELSLOTSRANGE', *slots)

    def cluster_failover(self, target_node: TargetNodesT,
                         option: Optional[str] = None) -> ResponseT:
        "Make replica ``target_node`` take over (``FORCE`` or ``TAKEOVER``)"
        args = ('CLUSTER FAILOVER',) + ((option.upper(),) if option else ())
        return self.execute_command(*args, target_nodes=target_node)

    def cluster_info(self,
                     target_nodes: Optional[TargetNodesT] = None) -> ResponseT:
        "CLUSTER INFO as a dict"
        return self.execute_command('CLUSTER INFO', target_nodes=target_nodes)

    def cluster_keyslot(self, key: KeyT) -> ResponseT:
        "The slot of ``key`` as the server computes it"
        return self.execute_command('CLUSTER KEYSLOT', key)

    def cluster_meet(self, host: str, port: int,
                     target_nodes: Optional[TargetNodesT] = None) -> ResponseT:
        "Make the node(s) meet the node at ``host``:``port``"
        return self.execute_command('CLUSTER MEET', host, port,
                                    target_nodes=target_nodes)

    def cluster_nodes(self) -> ResponseT:
        "CLUSTER NODES as a dict of address -> node fields"
        return self.execute_command('CLUSTER NODES')

    def cluster_replicate(self, target_nodes: TargetNodesT,
                          node_id: str) -> ResponseT:
        "Make ``target_nodes`` replicas of ``node_id``"
        return self.execute_command('CLUSTER REPLICATE', node_id,
                                    target_nodes=target_nodes)

    def cluster_reset(
            self, soft: bool = True,
            target_nodes: Optional[TargetNodesT] = None,
    ) -> ResponseT:
        "CLUSTER RESET SOFT (or HARD)"
        return self.execute_command('CLUSTER RESET',
                                    'SOFT' if soft else 'HARD',
                                    target_nodes=target_nodes)

    def cluster_save_config(
            self, target_nodes: Optional[TargetNodesT] = None,
    ) -> ResponseT:
        "Save the node's cluster configuration to disk"
        return self.execute_command('CLUSTER SAVECONFIG',
                                    target_nodes=target_nodes)

    def cluster_get_keys_in_slot(self, slot: int, num_keys: int) -> ResponseT:
        "Up to ``num_keys`` key names of ``slot`` (asked of its owner)"
        return self.execute_command('CLUSTER GETKEYSINSLOT', slot, num_keys)

    def cluster_set_config_epoch(
            self, epoch: int, target_nodes: Optional[TargetNodesT] = None,
    ) -> ResponseT:
        "Set the configuration epoch of a new node"
        return self.execute_command('CLUSTER SET-CONFIG-EPOCH', epoch,
                                    target_nodes=target_nodes)

    def cluster_setslot(self, target_node: TargetNodesT, node_id: str,
                        slot_id: int, state: str) -> ResponseT:
        """CLUSTER SETSLOT on ``target_node``: ``state`` IMPORTING,
        MIGRATING or NODE with ``node_id``, or STABLE"""
        if state.upper() == 'STABLE':
            return self.execute_command('CLUSTER SETSLOT', slot_id, 'STABLE',
                                        target_nodes=target_node)
        return self.execute_command('CLUSTER SETSLOT', slot_id, state.upper(),
                                    node_id, target_nodes=target_node)

    def cluster_setslot_stable(self, slot_id: int) -> ResponseT:
        "Clear a migration state of ``slot_id`` on its owner"
        return self.execute_command('CLUSTER SETSLOT', slot_id, 'STABLE')

    def cluster_replicas(
            self, node_id: str, target_nodes: Optional[TargetNodesT] = None,
    ) -> ResponseT:
        "The replicas of ``node_id``, as CLUSTER NODES lines"
        return self.execute_command('CLUSTER REPLICAS', node_id,
                                    target_nodes=target_nodes)

    def cluster_slots(
            self, target_nodes: Optional[TargetNodesT] = None,
    ) -> ResponseT:
        "CLUSTER SLOTS as {(first, last): {'primary': .., 'replicas': ..}}"
        return self.execute_command('CLUSTER SLOTS', target_nodes=target_nodes)

    def cluster_shards(
            self, target_nodes: Optional[TargetNodesT] = None,
    ) -> ResponseT:
        "CLUSTER SHARDS (Redis 7) as a list of {'slots', 'nodes'}"
        return self.execute_command('CLUSTER SHARDS',
                                    target_nodes=target_nodes)

    def cluster_links(self, target_node: TargetNodesT) -> ResponseT:
        "The node's cluster bus links (Redis 7)"
        return self.execute_command('CLUSTER LINKS', target_nodes=target_node)

    def cluster_flushslots(
            self, target_nodes: Optional[TargetNodesT] = None,
    ) -> ResponseT:
        "Unassign every slot of the node"
        return self.execute_command('CLUSTER FLUSHSLOTS',
                                    target_nodes=target_nodes)

    def cluster_bumpepoch(
            self, target_nodes: Optional[TargetNodesT] = None,
    ) -> ResponseT:
        "Advance the node's configuration epoch"
        return self.execute_command('CLUSTER BUMPEPOCH',
                                    target_nodes=target_nodes)

    def readonly(self,
                 target_nodes: Optional[TargetNodesT] = None) -> ResponseT:
        """READONLY on the connection used (connections to replicas send it
        by themselves with ``read_from_replicas``)"""
        return self.execute_command('READONLY', target_nodes=target_nodes)

    def readwrite(self,
                  target_nodes: Optional[TargetNodesT] = None) -> ResponseT:
        "READWRITE: undo READONLY on the connection used"
        return self.execute_command('READWRITE', target_nodes=target_nodes)
