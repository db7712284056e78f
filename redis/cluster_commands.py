"""Commands of RedisCluster that span nodes: the non-atomic MGET/MSET, DEL
and friends over keys of several slots, SCAN over every primary, and
keyless commands sent to several nodes at once.

Several nodes are written to before any is read (``send_batches``): one
round trip in all, not one per node. A command answered MOVED, ASK,
TRYAGAIN or CLUSTERDOWN did not run, and goes again alone through the
client's redirect handling; a node whose connection failed gets its
commands sent again only when redis.resend allows it.
"""
from __future__ import annotations

import functools
from typing import (
    TYPE_CHECKING, Any, Dict, Iterator, List, Mapping, Optional, Sequence,
)

from redis.exceptions import ConnectionError, ResponseError, TimeoutError
from redis.replies import list_or_args
from redis.resend import CONNECT, READ, SEND, may_resend, proves_not_run
from redis.typing import (
    AnyKeyT, EncodableT, KeyT, KeysT, PatternT, ResponseT,
)

if TYPE_CHECKING:
    from redis.cluster import RedisCluster
    from redis.cluster_nodes import ClusterNode


class NodeFailure(Exception):
    """A connection error while sending to one node, and the stage
    (redis.resend's CONNECT, SEND or READ) it happened at."""

    def __init__(self, error, stage, connection):
        Exception.__init__(self, error, stage)
        self.error = error
        self.stage = stage
        self.connection = connection


def send_batches(batches):
    """Send every ``(node, [args, ...])`` batch on one connection of its
    node, all before reading any reply. Returns, per batch, a list of
    replies (an error reply as its exception) or a NodeFailure for the
    whole batch; replies past a failed read are lost with it."""
    outcomes = [None] * len(batches)
    sent = []
    try:
        for index, (node, commands) in enumerate(batches):
            pool = node.connection_pool
            try:
                connection = pool.get_connection(commands[0][0])
            except (ConnectionError, TimeoutError) as e:
                outcomes[index] = NodeFailure(e, CONNECT, None)
                continue
            stage = CONNECT
            try:
                if not getattr(connection, 'is_connected', True):
                    connection.connect()
                stage = SEND
                connection.send_packed_command(
                    connection.pack_commands(commands))
            except (ConnectionError, TimeoutError) as e:
                connection.disconnect()
                pool.release(connection)
                outcomes[index] = NodeFailure(e, stage, connection)
                continue
            except BaseException:
                connection.disconnect()
                pool.release(connection)
                raise
            sent.append([index, pool, connection])
        for entry in sent:
            index, pool, connection = entry
            replies = []
            try:
                for _ in batches[index][1]:
                    try:
                        replies.append(connection.read_response())
                    except ResponseError as e:
                        replies.append(e)
            except (ConnectionError, TimeoutError) as e:
                connection.disconnect()
                replies = NodeFailure(e, READ, connection)
            outcomes[index] = replies
            entry[2] = None
            pool.release(connection)
    finally:
        # interrupted (KeyboardInterrupt...): unread replies would be
        # taken for the next command's, so those connections go
        for index, pool, connection in sent:
            if connection is not None:
                connection.disconnect()
                pool.release(connection)
    return outcomes


def _apply(callbacks, args, reply, options):
    callback = callbacks.get(args[0])
    if callback is None:
        return reply
    return callback(reply, **options)


class FanOut(object):
    """One command on several nodes at once: {node name: reply}. An error
    from any node raises once every node was read; a node whose
    connection failed before the command reached it gets it again
    through the single-node path."""

    def __init__(self, cluster: RedisCluster, nodes: Sequence[ClusterNode],
                 args: Sequence[Any], options: Dict[str, Any],
                 readonly: bool) -> None:
        self.cluster = cluster
        self.nodes = nodes
        self.args = args
        self.options = options
        self.readonly = readonly

    def __repr__(self) -> str:
        return 'FanOut<%s to %s>' % (self.args[0], ','.join(
            node.name for node in self.nodes))

    def run(self) -> Dict[str, Any]:
        cluster = self.cluster
        outcomes = send_batches([(node, [self.args]) for node in self.nodes])
        replies = {}
        error = None
        for node, outcome in zip(self.nodes, outcomes):
            if isinstance(outcome, NodeFailure):
                if may_resend(outcome.error, outcome.stage,
                              outcome.connection, idempotent=self.readonly):
                    outcome = [cluster.execute_command(
                        *self.args, target_nodes=node, **self.options)]
                    replies[node.name] = outcome[0]
                    continue
                cluster.nodes_manager.refresh_due = True
                error = error or outcome.error
                continue
            reply = outcome[0]
            if isinstance(reply, ResponseError):
                error = error or reply
                continue
            replies[node.name] = _apply(cluster.response_callbacks,
                                        self.args, reply, self.options)
        if error is not None:
            raise error
        return replies


class ClusterMultiKeyCommands(object):
    """Commands over keys of several slots, and SCAN over the primaries"""

    # with keys in several slots these run once per slot, replies added up
    SPLITTABLE = frozenset(('DEL', 'UNLINK', 'TOUCH', 'EXISTS'))

    def _run_per_slot(self, commands, readonly, raw=False):
        """Run {slot: args} on the slots' nodes, one round trip for all;
        returns {slot: reply}. A command that did not run (MOVED...) or
        whose node failed before it was sent goes again alone."""
        manager = self.nodes_manager
        by_node = {}
        for slot, args in commands.items():
            node = manager.get_node_from_slot(
                slot, readonly and self.read_from_replicas)
            by_node.setdefault(node, []).append((slot, args))
        batches = [(node, [args for _, args in items])
                   for node, items in by_node.items()]
        outcomes = send_batches(batches)
        results = {}
        again = []
        error = None
        for (node, items), outcome in zip(by_node.items(), outcomes):
            if isinstance(outcome, NodeFailure):
                manager.refresh_due = True
                if may_resend(outcome.error, outcome.stage,
                              outcome.connection, batch=len(items) > 1,
                              idempotent=readonly, elsewhere=True):
                    again.extend(items)
                else:
                    error = error or outcome.error
                continue
            for (slot, args), reply in zip(items, outcome):
                if proves_not_run(reply):
                    again.append((slot, args))
                elif isinstance(reply, ResponseError):
                    error = error or reply
                else:
                    results[slot] = reply if raw else _apply(
                        self.response_callbacks, args, reply, {})
        if error is not None:
            raise error
        for slot, args in again:
            results[slot] = self._run(args, {}, readonly, slot=slot, raw=raw)
        return results

    def _split_by_slot(self, args, readonly):
        "DEL, EXISTS... over keys of several slots: the replies added up"
        commands = {}
        for key in args[1:]:
            commands.setdefault(self.keyslot(key), [args[0]]).append(key)
        replies = self._run_per_slot(
            dict((slot, tuple(command)) for slot, command in
                 commands.items()), readonly, raw=True)
        return sum(int(reply) for reply in replies.values())

    def mget_nonatomic(self, keys: KeysT, *args: KeyT) -> List[Any]:
        """The values of ``keys`` (None for a missing key) in the order
        given, with one MGET per slot (not atomic across slots)."""
        keys = list_or_args(keys, args)
        slots = {}
        for key in keys:
            slots.setdefault(self.keyslot(key), []).append(key)
        replies = self._run_per_slot(
            dict((slot, ('MGET',) + tuple(names))
                 for slot, names in slots.items()), True)
        values = {}
        for slot, names in slots.items():
            for name, value in zip(names, replies[slot]):
                values[self.encoder.encode(name)] = value
        return [values[self.encoder.encode(key)] for key in keys]

    def mset_nonatomic(self,
                       mapping: Mapping[AnyKeyT, EncodableT]) -> List[Any]:
        """Set every key of ``mapping`` to its value with one MSET per
        slot (not atomic across slots); one True per slot."""
        slots = {}
        for key, value in mapping.items():
            slots.setdefault(self.keyslot(key), ['MSET']).extend(
                (key, value))
        replies = self._run_per_slot(
            dict((slot, tuple(args)) for slot, args in slots.items()),
            False)
        return [replies[slot] for slot in slots]

    def scan(self, cursor: int = 0, match: Optional[PatternT] = None,
             count: Optional[int] = None, _type: Optional[str] = None,
             **kwargs: Any) -> ResponseT:
        """SCAN on every primary (or ``target_nodes``): ({node name: next
        cursor}, key names), as today's redis-py gives it"""
        args = ['SCAN', cursor]
        if match is not None:
            args += ['MATCH', match]
        if count is not None:
            args += ['COUNT', count]
        if _type is not None:
            args += ['TYPE', _type]
        return self.execute_command(*args, **kwargs)

    def scan_iter(self, match: Optional[PatternT] = None,
                  count: Optional[int] = None, _type: Optional[str] = None,
                  **kwargs: Any) -> Iterator[Any]:
        """Iterate over the key names of every primary (or of
        ``target_nodes``), one node after another"""
        target_nodes = kwargs.pop('target_nodes', None)
        if target_nodes is None:
            nodes = self.get_primaries()
        else:
            nodes = self._parse_target_nodes(target_nodes)
        for node in nodes:
            cursor = 0
            while True:
                cursors, keys = self.scan(cursor, match, count, _type,
                                          target_nodes=node, **kwargs)
                for key in keys:
                    yield key
                cursor = cursors[node.name]
                if cursor == 0:
                    break


class _Targeted(object):
    "A RedisCluster whose commands go to ``target_nodes``"

    def __init__(self, cluster, target_nodes):
        self._cluster = cluster
        self._target_nodes = target_nodes

    def __repr__(self):
        return '%s<%r>' % (type(self).__name__, self._cluster)

    def execute_command(self, *args, **options):
        options['target_nodes'] = self._target_nodes
        return self._cluster.execute_command(*args, **options)

    def __getattr__(self, name):
        return getattr(self._cluster, name)


def accepting_target_nodes(method):
    """``method`` (a command method of the mixins) taking ``target_nodes=``
    too, which its command is then sent to"""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        target_nodes = kwargs.pop('target_nodes', None)
        if target_nodes is None:
            return method(self, *args, **kwargs)
        return method(_Targeted(self, target_nodes), *args, **kwargs)
    return wrapper


# command methods without keys that take target_nodes= in a cluster
KEYLESS_METHODS = (
    'bgrewriteaof', 'bgsave', 'client_getname', 'client_id', 'client_info',
    'client_kill', 'client_kill_filter', 'client_list', 'client_no_evict',
    'client_no_touch', 'client_pause', 'client_reply', 'client_setinfo',
    'client_setname', 'client_trackinginfo', 'client_unblock',
    'client_unpause', 'cluster', 'command', 'command_count',
    'command_docs', 'command_getkeys', 'command_info', 'command_list',
    'config_get', 'config_resetstat', 'config_rewrite', 'config_set',
    'dbsize', 'debug_sleep', 'echo', 'flushall', 'flushdb', 'function_delete',
    'function_dump', 'function_flush', 'function_kill', 'function_list',
    'function_load', 'function_restore', 'function_stats', 'info', 'keys',
    'lastsave', 'latency_doctor', 'latency_graph', 'latency_histogram',
    'latency_history', 'latency_latest', 'latency_reset', 'lolwut',
    'memory_doctor', 'memory_malloc_stats', 'memory_purge', 'memory_stats',
    'module_list', 'module_load', 'module_loadex', 'module_unload', 'ping',
    'pubsub_channels', 'pubsub_numpat', 'pubsub_numsub',
    'pubsub_shardchannels', 'pubsub_shardnumsub', 'randomkey', 'role',
    'save', 'script_exists', 'script_flush', 'script_kill', 'script_load',
    'shutdown', 'slowlog_get', 'slowlog_len', 'slowlog_reset', 'swapdb',
    'time', 'wait', 'waitaof',
) + tuple('acl_' + name for name in (
    'cat', 'deluser', 'dryrun', 'genpass', 'getuser', 'help', 'list',
    'load', 'log', 'log_reset', 'save', 'setuser', 'users', 'whoami'))


def add_target_nodes(cls):
    """Give the keyless command methods of ``cls`` a ``target_nodes=``
    argument (the ones that lack it)"""
    for name in KEYLESS_METHODS:
        method = getattr(cls, name, None)
        if method is not None and \
                not getattr(method, 'takes_target_nodes', False):
            wrapped = accepting_target_nodes(method)
            wrapped.takes_target_nodes = True
            setattr(cls, name, wrapped)
    return cls


__all__ = ['NodeFailure', 'send_batches', 'FanOut',
           'ClusterMultiKeyCommands', 'accepting_target_nodes',
           'add_target_nodes', 'KEYLESS_METHODS']
