"""RedisCluster: a client for Redis Cluster with today's redis-py API.

Every command method of StrictRedis (the same mixins) goes to the node
serving its keys' slot (redis.cluster_routing says where, redis.cluster_nodes
keeps the map). Keyless commands go to the default node, or to a group of
nodes (``target_nodes=``) whose replies are merged.

Redirects and failures: MOVED patches the slot at once and schedules a map
refresh; ASK sends ASKING and the command once to the node named; TRYAGAIN
and CLUSTERDOWN are retried after growing pauses, up to
``cluster_error_retry_attempts``. A node that cannot be reached gets the map
refreshed and the command goes to the slot's owner then. What may be sent
again is redis.resend's call: a command that may have run (its connection
lost after sending) is never re-sent, its caller gets the error; only
read-only commands count as safe to repeat.
"""
from __future__ import annotations

import random
import time
from binascii import crc_hqx
from typing import (
    TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Sequence,
    Type, TypeVar, Union,
)

from redis.client import BLOCKING_COMMANDS, StrictRedis
from redis.cluster_commands import (
    ClusterMultiKeyCommands, FanOut, NodeFailure, add_target_nodes,
)
from redis.cluster_nodes import (
    PRIMARY, REPLICA, ClusterNode, NodesManager, node_name, pool_arguments,
)
from redis.cluster_routing import (
    ALL_NODES, DEFAULT_NODE, MOVABLE, NODE_FLAGS, PRIMARIES, RANDOM,
    REPLICAS, ROUTES, SLOT_COUNT, SLOT_ID, Route, command_route, key_slot,
    single_slot,
)
from redis.commands import CoreCommands
from redis.commands.cluster import ClusterManagementCommands
from redis.exceptions import (
    AskError, ClusterCrossSlotError, ClusterDownError, ClusterError,
    ConnectionError, MovedError, RedisClusterException, ResponseError,
    SlotNotCoveredError, TimeoutError, TryAgainError,
)
from redis.lock import Lock, LuaLock
from redis.packer import Encoder
from redis.pool import parse_url
from redis.replies import RESPONSE_CALLBACKS
from redis.replies_cluster import CLUSTER_RESPONSE_CALLBACKS
from redis.resend import CONNECT, READ, SEND, may_resend
from redis.scripting import Script
from redis.typing import (
    EncodableT, KeyT, Number, ResponseCallbackT,
)

if TYPE_CHECKING:
    from redis.cluster_pipeline import ClusterPipeline
    from redis.cluster_pubsub import ClusterPubSub

_ClusterT = TypeVar('_ClusterT', bound='RedisCluster')

ASKING = ('ASKING',)
# the most redirects one command follows (as today's redis-py)
REDIRECT_LIMIT = 16
SLOT_MASK = SLOT_COUNT - 1
# how many keys' slots are remembered (then forgotten all at once)
KEY_CACHE_SIZE = 65536
def _backoff(failures):
    "Seconds to wait before try ``failures`` + 1 (grows, with jitter)"
    return min(0.5, 0.05 * 2 ** (failures - 1)) * (0.5 + random.random() / 2)


class ClusterScript(Script):
    """A Lua script of a RedisCluster: it runs on the node of its keys and
    loads itself there when missing."""

    def __init__(self, registered_client: RedisCluster,
                 script: Union[str, bytes]) -> None:
        if isinstance(script, str):
            script = registered_client.get_encoder().encode(script)
        Script.__init__(self, registered_client, script)


@add_target_nodes
class RedisCluster(ClusterMultiKeyCommands, ClusterManagementCommands,
                   CoreCommands):
    """A Redis Cluster client, shared safely by threads (one connection
    pool per node) and across fork() (a child makes its own connections).

    ``startup_nodes`` (``ClusterNode`` objects or ``{'host': .., 'port':
    ..}`` dicts) or ``host``/``port`` name nodes to learn the cluster from;
    ``require_full_coverage``: refuse a map that leaves slots unserved;
    ``read_from_replicas``: read-only commands go to replicas in turn;
    ``reinitialize_steps``: 0 stops MOVED from refreshing the map (it then
    only patches the slot); ``cluster_error_retry_attempts``: how often
    TRYAGAIN, CLUSTERDOWN and unreachable nodes are retried. Other keyword
    arguments go to every node's connection pool (password, socket
    timeouts, ssl options, decode_responses...).
    """
    RedisClusterRequestTTL = REDIRECT_LIMIT
    PRIMARIES = PRIMARIES
    REPLICAS = REPLICAS
    ALL_NODES = ALL_NODES
    RANDOM = RANDOM
    DEFAULT_NODE = DEFAULT_NODE
    NODE_FLAGS = NODE_FLAGS
    RESPONSE_CALLBACKS = dict(RESPONSE_CALLBACKS, **CLUSTER_RESPONSE_CALLBACKS)

    @classmethod
    def from_url(cls: Type[_ClusterT], url: str, **kwargs: Any) -> _ClusterT:
        """A client whose startup node (and connection options) come from
        ``url``: ``redis://[:password]@host:port`` or ``rediss://...``."""
        options = parse_url(url)
        if options.get('path'):
            raise RedisClusterException(
                'RedisCluster does not support unix socket connections')
        options.update(kwargs)
        return cls(**options)

    def __init__(
            self, host: Optional[str] = None, port: int = 6379,
            startup_nodes: Optional[
                Iterable[Union[ClusterNode, Dict[str, Any]]]] = None,
            require_full_coverage: bool = True,
            read_from_replicas: bool = False, reinitialize_steps: int = 5,
            cluster_error_retry_attempts: int = 3, **kwargs: Any,
    ) -> None:
        nodes = []
        for node in startup_nodes or ():
            if isinstance(node, dict):
                node = ClusterNode(node['host'], node.get('port', 6379))
            nodes.append(node)
        if host is not None:
            nodes.append(ClusterNode(host, port))
        if not nodes:
            raise RedisClusterException(
                'RedisCluster needs at least one node to learn the cluster '
                'from: RedisCluster(host=..., port=...) or '
                'RedisCluster(startup_nodes=[ClusterNode(host, port)])')
        pool_kwargs = pool_arguments(kwargs)
        self.encoder = Encoder(pool_kwargs.get('encoding', 'utf-8'),
                               pool_kwargs.get('encoding_errors', 'strict'),
                               pool_kwargs.get('decode_responses', False))
        self.read_from_replicas = read_from_replicas
        self.reinitialize_steps = reinitialize_steps
        self.cluster_error_retry_attempts = cluster_error_retry_attempts
        self.response_callbacks = self.__class__.RESPONSE_CALLBACKS.copy()
        self.cluster_response_callbacks = self.response_callbacks
        self._unknown_routes = {}
        # slots of recent str and bytes keys: a dict hit costs a fraction
        # of encoding and hashing (other types could compare equal across
        # encodings, 1 == 1.0, so they are not kept)
        self._slots_of_keys = {}
        self._encoding = self.encoder.encoding
        self._encoding_errors = self.encoder.encoding_errors
        self.nodes_manager = NodesManager(
            nodes, pool_kwargs, require_full_coverage=require_full_coverage,
            read_from_replicas=read_from_replicas,
            response_callbacks=self.response_callbacks,
            reinitialize_steps=reinitialize_steps)

    def __repr__(self) -> str:
        return '%s<%s>' % (type(self).__name__,
                           ','.join(sorted(self.nodes_manager.nodes_cache)))

    def __enter__(self: _ClusterT) -> _ClusterT:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def close(self) -> None:
        "Disconnect every node's connections (they reconnect when used)"
        self.nodes_manager.close()

    disconnect_connection_pools = close

    # -- nodes --------------------------------------------------------------

    def get_node(self, host: Optional[str] = None, port: Optional[int] = None,
                 node_name: Optional[str] = None) -> Optional[ClusterNode]:
        return self.nodes_manager.get_node(host, port, node_name)

    def get_nodes(self) -> List[ClusterNode]:
        return list(self.nodes_manager.nodes_cache.values())

    def get_primaries(self) -> List[ClusterNode]:
        return self.nodes_manager.get_nodes_by_server_type(PRIMARY)

    def get_replicas(self) -> List[ClusterNode]:
        return self.nodes_manager.get_nodes_by_server_type(REPLICA)

    def get_random_node(self) -> ClusterNode:
        return random.choice(self.get_nodes())

    def get_default_node(self) -> ClusterNode:
        return self.nodes_manager.default_node

    def set_default_node(self, node: Optional[ClusterNode]) -> bool:
        """Make ``node`` (a known node) the target of keyless commands;
        False when it is not a node of the cluster"""
        if node is None or self.get_node(node_name=node.name) is None:
            return False
        self.nodes_manager.default_node = self.get_node(node_name=node.name)
        self.nodes_manager.user_default_node = True
        return True

    def replace_default_node(
            self, target_node: Optional[ClusterNode] = None,
    ) -> None:
        if target_node is not None:
            self.set_default_node(target_node)
        else:
            self.nodes_manager.replace_default_node(self.get_default_node())

    def get_redis_connection(self, node: ClusterNode) -> StrictRedis:
        "The StrictRedis of ``node`` (on its own connection pool)"
        if node.redis_connection is None:
            # (two threads may both make one: the last one stays, no harm)
            self.nodes_manager.create_redis_connection(node)
        return node.redis_connection

    def get_node_from_key(self, key: KeyT,
                          replica: bool = False) -> Optional[ClusterNode]:
        """The primary serving ``key``, or with ``replica`` its first
        replica (None when it has none)"""
        slot = self.keyslot(key)
        nodes = self.nodes_manager.slots_cache.get(slot)
        if not nodes:
            raise SlotNotCoveredError(
                'Slot "%s" is not covered by the cluster.' % (slot,))
        if replica:
            return nodes[1] if len(nodes) > 1 else None
        return nodes[0]

    def get_encoder(self) -> Encoder:
        return self.encoder

    def get_connection_kwargs(self) -> Dict[str, Any]:
        return self.nodes_manager.connection_kwargs

    def set_response_callback(self, command: str,
                              callback: ResponseCallbackT) -> None:
        "Set a custom reply callback (on every node)"
        self.response_callbacks[command] = callback

    # -- routing ------------------------------------------------------------

    def keyslot(self, key: EncodableT) -> int:
        "The slot of ``key`` (encoded as commands encode it)"
        try:
            slot = self._slots_of_keys.get(key)
        except TypeError:
            # unhashable (bytearray...)
            return key_slot(self.encoder.encode(key))
        if slot is not None:
            return slot
        cls = key.__class__
        if cls is str:
            encoded = key.encode(self._encoding, self._encoding_errors)
        elif cls is bytes:
            encoded = key
        else:
            return key_slot(self.encoder.encode(key))
        start = encoded.find(b'{')
        if start >= 0:
            end = encoded.find(b'}', start + 1)
            if end > start + 1:
                encoded = encoded[start + 1:end]
        slot = crc_hqx(encoded, 0) & SLOT_MASK
        cache = self._slots_of_keys
        if len(cache) >= KEY_CACHE_SIZE:
            cache.clear()
        cache[key] = slot
        return slot

    def _route(self, args):
        route = command_route(args)
        if route is None:
            route = self._server_route(args)
        return route

    def _server_route(self, args):
        # A command the tables do not know: its key positions as the
        # server tells them (asked once per name).
        name = args[0].upper() if isinstance(args[0], str) else \
            args[0].decode('utf-8', 'replace').upper()
        route = self._unknown_routes.get(name)
        if route is None:
            words = name.split()
            reply = self._command_info(words[0])
            route = Route.from_command_info(words[0], reply)
            route = route.shifted(len(words))
            self._unknown_routes[name] = route
        return route

    def _command_info(self, name):
        try:
            reply = self._run(('COMMAND', 'INFO', name), {}, True,
                              use_default=True, raw=True)
        except ResponseError:
            return None
        return reply[0] if reply else None

    def _keys_of(self, route, args):
        if route.finder is MOVABLE:
            return self._run(('COMMAND', 'GETKEYS') + tuple(args), {}, True,
                             use_default=True, raw=True)
        return route.keys(args)

    def determine_slot(self, *args: Any) -> Optional[int]:
        """The slot of the keys of command ``args``: ClusterCrossSlotError
        (before anything is sent) when they hash to several slots; None
        for a command that goes to nodes by its kind, not by keys."""
        route = self._route(args)
        if route.flag is not None:
            if route.flag == SLOT_ID:
                return int(args[2 if ' ' not in str(args[0]) else 1])
            return None
        if route.single is not None:
            return self.keyslot(args[route.single])
        keys = self._keys_of(route, args)
        if not keys and route.finder is not None:
            # EVAL/FCALL with no key: any node can run it
            return random.randrange(SLOT_COUNT)
        return single_slot(self.keyslot, keys, args[0])

    def get_nodes_for_command(
            self, args: Sequence[Any],
            options: Optional[Mapping[str, Any]] = None,
    ) -> List[ClusterNode]:
        """The nodes command ``args`` goes to (``options`` may hold
        ``target_nodes``)"""
        target_nodes = options.get('target_nodes') if options else None
        if target_nodes is not None:
            return self._parse_target_nodes(target_nodes)
        route = self._route(args)
        if route.flag is None or route.flag == SLOT_ID:
            return [self.nodes_manager.get_node_from_slot(
                self.determine_slot(*args),
                self.read_from_replicas and route.readonly)]
        return self._nodes_by_flag(route.flag)

    def _nodes_by_flag(self, flag):
        if flag == DEFAULT_NODE:
            return [self.get_default_node()]
        if flag == PRIMARIES:
            return self.get_primaries()
        if flag == ALL_NODES:
            return self.get_nodes()
        if flag == REPLICAS:
            return self.get_replicas()
        if flag == RANDOM:
            return [self.get_random_node()]
        raise RedisClusterException('Unknown target_nodes flag %r' % (flag,))

    def _parse_target_nodes(self, target_nodes):
        if isinstance(target_nodes, str):
            return self._nodes_by_flag(target_nodes)
        if isinstance(target_nodes, ClusterNode):
            return [target_nodes]
        if isinstance(target_nodes, dict):
            return list(target_nodes.values())
        if isinstance(target_nodes, (list, tuple, set, frozenset)):
            return list(target_nodes)
        raise TypeError('target_nodes must be a node flag (PRIMARIES, '
                        'REPLICAS, ALL_NODES, RANDOM, DEFAULT_NODE), a '
                        'ClusterNode, or a list or dict of ClusterNodes, '
                        'not %s' % type(target_nodes).__name__)

    # -- running commands ---------------------------------------------------

    def execute_command(self, *args: Any, **options: Any) -> Any:
        """Send a command to the node(s) it belongs to and return its
        reply (merged when several nodes answered). ``target_nodes``
        (a flag like RedisCluster.PRIMARIES, a node, or a list or dict of
        nodes) overrides where it goes."""
        manager = self.nodes_manager
        if manager.refresh_due:
            manager.refresh_if_due()
        if options and 'target_nodes' in options:
            target_nodes = options.pop('target_nodes')
            if target_nodes is not None:
                return self._run_on_targets(target_nodes, args, options)
        route = ROUTES.get(args[0])
        if route is not None and route.single is not None:
            try:
                key = args[route.single]
            except IndexError:
                raise RedisClusterException('Invalid args in command: %r'
                                            % (args,))
            return self._run(args, options, route.readonly,
                             slot=self.keyslot(key))
        route = self._route(args)
        flag = route.flag
        if flag is None or flag == SLOT_ID:
            try:
                slot = self.determine_slot(*args)
            except ClusterCrossSlotError:
                if args[0] not in self.SPLITTABLE or options:
                    raise
                return self._split_by_slot(args, route.readonly)
            return self._run(args, options, route.readonly, slot=slot)
        if flag == DEFAULT_NODE:
            return self._merged(route, {
                None: self._run(args, options, route.readonly,
                                use_default=True)})
        return self._run_on_nodes(self._nodes_by_flag(flag), args, options,
                                  route)

    def _run_on_targets(self, target_nodes, args, options):
        nodes = self._parse_target_nodes(target_nodes)
        if not nodes:
            raise RedisClusterException('No targets were found to execute '
                                        '%r on' % (args,))
        route = self._route(args)
        return self._run_on_nodes(nodes, args, options, route)

    def _run_on_nodes(self, nodes, args, options, route):
        if len(nodes) == 1:
            replies = {nodes[0].name: self._run(args, options,
                                                route.readonly,
                                                node=nodes[0])}
        else:
            replies = FanOut(self, nodes, args, options,
                             route.readonly).run()
        return self._merged(route, replies)

    def _merged(self, route, replies):
        if route.merge is not None:
            return route.merge(replies)
        if len(replies) == 1:
            for reply in replies.values():
                return reply
        return replies

    def _run(self, args, options, readonly, slot=None, node=None,
             use_default=False, raw=False):
        """Send ``args`` to the node serving ``slot`` (or to ``node``, or
        the default node), following redirects and retrying what
        redis.resend allows; the reply through its callback."""
        manager = self.nodes_manager
        from_replica = readonly and self.read_from_replicas
        failures = redirects = 0
        redirect = None
        asking = False
        while True:
            if redirect is not None:
                target, redirect = redirect, None
            elif slot is not None:
                nodes = manager.slots_cache.get(slot)
                if not nodes:
                    manager.refresh_after_failure(time.monotonic())
                    target = manager.get_node_from_slot(slot)
                elif from_replica and len(nodes) > 1:
                    target = manager.pick_replica(nodes)
                else:
                    target = nodes[0]
            elif use_default:
                target = manager.default_node
            else:
                target = node
            try:
                return self._send(target, args, options, asking, raw)
            except MovedError as e:
                redirects += 1
                if redirects > REDIRECT_LIMIT:
                    raise ClusterError('Too many redirects: %s' % (e,))
                redirect = manager.update_moved_exception(e)
                asking = False
            except AskError as e:
                redirects += 1
                if redirects > REDIRECT_LIMIT:
                    raise ClusterError('Too many redirects: %s' % (e,))
                redirect = manager.node_at(e.host, e.port)
                asking = True
            except (TryAgainError, ClusterDownError) as e:
                failures += 1
                if failures > self.cluster_error_retry_attempts:
                    raise
                if isinstance(e, ClusterDownError):
                    manager.refresh_due = True
                asking = False
                time.sleep(_backoff(failures))
            except NodeFailure as failure:
                asking = False
                failures += 1
                self._after_failure(target, failure, readonly, failures,
                                    moving=slot is not None or use_default)

    def _after_failure(self, node, failure, readonly, failures, moving):
        "Raise the error of ``failure``, or return to have it sent again"
        manager = self.nodes_manager
        error, stage = failure.error, failure.stage
        failed_at = time.monotonic()
        allowed = may_resend(error, stage, failure.connection,
                             idempotent=readonly, elsewhere=moving)
        if node.server_type == REPLICA and readonly:
            # its reads go to the primary (or another replica) meanwhile
            manager.mark_failed(node)
            if allowed and moving:
                return
        else:
            manager.refresh_due = True
        if not allowed or failures > self.cluster_error_retry_attempts:
            raise error.with_traceback(error.__traceback__) from None
        if stage == SEND and not readonly:
            # a connection the server had closed: a fresh one, same node
            return
        if moving:
            if node is manager.default_node:
                manager.replace_default_node(node)
            if not manager.refresh_after_failure(failed_at):
                time.sleep(_backoff(failures))

    def _send(self, node, args, options, asking=False, raw=False):
        """One try of ``args`` on ``node``: its reply through its callback.
        Error replies raise as they are; a connection error raises
        NodeFailure saying at which stage it failed."""
        name = args[0]
        if name in BLOCKING_COMMANDS and not asking:
            # the node's client waits as long as the command may block
            try:
                return node.redis_connection.execute_command(*args,
                                                             **options)
            except (ConnectionError, TimeoutError) as e:
                raise NodeFailure(e, READ, None)
        pool = node.connection_pool
        stage = CONNECT
        try:
            connection = pool.get_connection(name)
        except (ConnectionError, TimeoutError) as e:
            raise NodeFailure(e, CONNECT, None)
        try:
            if not getattr(connection, 'is_connected', True):
                connection.connect()
            stage = SEND
            if asking:
                connection.send_packed_command(
                    connection.pack_commands((ASKING, args)))
                stage = READ
                connection.read_response()
            else:
                connection.send_command(*args)
                stage = READ
            response = connection.read_response()
        except ResponseError:
            pool.release(connection)
            raise
        except (ConnectionError, TimeoutError) as e:
            connection.disconnect()
            pool.release(connection)
            raise NodeFailure(e, stage, connection)
        except BaseException:
            connection.disconnect()
            pool.release(connection)
            raise
        pool.release(connection)
        callback = None if raw else self.response_callbacks.get(name)
        if callback is None:
            return response
        return callback(response, **options) if options else \
            callback(response)

    # -- client objects -----------------------------------------------------

    def pipeline(self, transaction: bool = False,
                 shard_hint: Optional[str] = None) -> ClusterPipeline:
        """A ClusterPipeline: commands grouped by node, one round trip per
        node; with ``transaction`` a MULTI/EXEC on the one slot of all its
        keys."""
        if shard_hint:
            raise RedisClusterException(
                'shard_hint is not supported in cluster mode')
        from redis.cluster_pipeline import ClusterPipeline
        return ClusterPipeline(self, transaction=bool(transaction))

    def pubsub(self, node: Optional[ClusterNode] = None,
               host: Optional[str] = None, port: Optional[int] = None,
               **kwargs: Any) -> ClusterPubSub:
        """A ClusterPubSub: classic pubsub through one node (``node`` or
        host/port, else the default node), sharded pubsub by slot."""
        from redis.cluster_pubsub import ClusterPubSub
        return ClusterPubSub(self, node=node, host=host, port=port, **kwargs)

    def monitor(self, target_node: Optional[ClusterNode] = None) -> Any:
        """A Monitor of ``target_node`` (by default the default node): the
        commands that node runs"""
        node = target_node or self.get_default_node()
        return self.get_redis_connection(node).monitor()

    def register_script(self, script: Union[str, bytes]) -> ClusterScript:
        """A callable Script for the Lua source ``script``: it runs on the
        node of its keys (all in one slot)."""
        return ClusterScript(self, script)

    def lock(self, name: KeyT, timeout: Optional[Number] = None,
             sleep: Number = 0.1, blocking: bool = True,
             blocking_timeout: Optional[Number] = None,
             lock_class: Optional[Type[Lock]] = None,
             thread_local: bool = True) -> Lock:
        """A lock on key ``name`` (see StrictRedis.lock); a LuaLock unless
        ``lock_class`` says otherwise: its scripts run on the key's node."""
        return (lock_class or LuaLock)(
            self, name, timeout=timeout, sleep=sleep, blocking=blocking,
            blocking_timeout=blocking_timeout, thread_local=thread_local)

    transaction = StrictRedis.transaction


StrictRedisCluster = RedisCluster

__all__ = ['RedisCluster', 'StrictRedisCluster', 'ClusterNode',
           'NodesManager', 'ClusterScript', 'node_name', 'PRIMARY', 'REPLICA']
