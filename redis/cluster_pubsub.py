"""Publish/subscribe on a Redis Cluster.

Classic channels and patterns: a message PUBLISHed on any node reaches the
subscribers of every node, so ``ClusterPubSub`` is a PubSub on one node's
pool (the node given, else the one serving the slot of the first channel
subscribed to, which spreads subscribers over the cluster). A node it
chose itself and then lost is left for another one, where everything is
subscribed again.

Sharded channels (Redis 7: SSUBSCRIBE, SPUBLISH) live on the node serving
their slot. ``ssubscribe()`` keeps one ``ShardedNodePubSub`` per node, each
on its own connection; ``get_sharded_message()`` reads them in turn. When a
slot moves the channels follow it: a MOVED reply to SSUBSCRIBE, an
unannounced SUNSUBSCRIBE (the server drops the channels of a slot it gives
away) or a node lost for good subscribe them again on the slot's owner.
"""
from __future__ import annotations

import selectors
import threading
import time
from typing import (
    TYPE_CHECKING, Any, Callable, Dict, Iterable, Iterator, List, NoReturn,
    Optional, Union,
)

from redis.exceptions import (
    DataError, MovedError, PubSubError, RedisClusterException,
)
from redis.pubsub import PubSub
from redis.pool import ConnectionPool
from redis.pubsub_worker import (
    CONNECTION_ERRORS, RETRIED_ERRORS, Backoff, ExceptionHandlerT,
    PubSubWorkerThread, logger,
)
from redis.replies import list_or_args
from redis.typing import ChannelT, MessageHandlerT
from redis.utils import nativestr

if TYPE_CHECKING:
    from redis.client import StrictRedis
    from redis.cluster import RedisCluster
    from redis.cluster_nodes import ClusterNode

_monotonic = time.monotonic


def _node_pool(cluster, node):
    return cluster.get_redis_connection(node).connection_pool


class ShardedNodePubSub(PubSub):
    """The sharded channels of one cluster node, on one connection to it:
    a PubSub whose channels are shard channels. Its subscribe() and
    unsubscribe() send SSUBSCRIBE and SUNSUBSCRIBE, one per slot (a command
    naming channels of two slots is refused), so the base class's books,
    handlers and reconnecting (which subscribes again) serve them as they
    are. Its messages have the types 'smessage', 'ssubscribe' and
    'sunsubscribe'."""
    PUBLISH_MESSAGE_TYPES = ('smessage',)
    UNSUBSCRIBE_MESSAGE_TYPES = ('sunsubscribe',)
    SEPARATE_SHARD_CHANNELS = False
    SHARDED_COMMANDS = {'SUBSCRIBE': 'SSUBSCRIBE',
                        'UNSUBSCRIBE': 'SUNSUBSCRIBE'}

    def __init__(self, connection_pool: ConnectionPool, node: ClusterNode,
                 keyslot: Callable[[Any], int], **kwargs: Any) -> None:
        self.node = node
        self.keyslot = keyslot
        PubSub.__init__(self, connection_pool, **kwargs)

    def __repr__(self) -> str:
        return '%s<%s,channels=%d>' % (type(self).__name__,
                                       getattr(self.node, 'name', None),
                                       len(self.channels))

    def execute_command(self, *args: Any, **kwargs: Any) -> None:
        sharded = self.SHARDED_COMMANDS.get(nativestr(args[0]).upper()) \
            if args else None
        if sharded is None:
            return PubSub.execute_command(self, *args)
        if len(args) == 1:
            return PubSub.execute_command(self, sharded)
        by_slot = {}
        for name in args[1:]:
            by_slot.setdefault(self.keyslot(name), []).append(name)
        for names in by_slot.values():
            PubSub.execute_command(self, sharded, *names)

    def psubscribe(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PubSubError('Sharded pubsub has no patterns')

    def slots_of(self, slot: int) -> List[Any]:
        "The channels subscribed here whose slot is ``slot``"
        return [name for name in self.channels if self.keyslot(name) == slot]

    def get_sharded_message(
            self, ignore_subscribe_messages: bool = False,
            timeout: Optional[float] = 0.0,
    ) -> Optional[Dict[str, Any]]:
        "get_message(), by the name today's redis-py gives it"
        return self.get_message(ignore_subscribe_messages, timeout)


class _ShardedView(object):
    """ClusterPubSub's sharded side as the worker thread reads a PubSub:
    subscribed, get_message(), close(), unsubscribe()."""

    def __init__(self, cluster_pubsub):
        self.cluster_pubsub = cluster_pubsub
        self.connection = True  # stop() unsubscribes, which wakes the loop

    def __repr__(self):
        return '_ShardedView<%r>' % (self.cluster_pubsub,)

    @property
    def subscribed(self):
        return self.cluster_pubsub.sharded_subscribed

    def get_message(self, ignore_subscribe_messages=False, timeout=0):
        return self.cluster_pubsub.get_sharded_message(
            ignore_subscribe_messages, timeout)

    def unsubscribe(self):
        self.cluster_pubsub.sunsubscribe()

    def punsubscribe(self):
        pass

    def close(self):
        self.cluster_pubsub.reset_sharded()


class ClusterPubSub(PubSub):
    """PubSub for a RedisCluster: classic channels and patterns through
    one node (``node``, or ``host`` and ``port``; by default the node of
    the first channel's slot), and sharded channels through the node of
    each channel's slot."""

    def __init__(self, redis_cluster: RedisCluster,
                 node: Optional[ClusterNode] = None,
                 host: Optional[str] = None, port: Optional[int] = None,
                 **kwargs: Any) -> None:
        self.cluster = redis_cluster
        # guards node_pubsub_mapping and the sharded books: a worker
        # thread reads while the caller (un)subscribes; never held while
        # waiting for a message
        self._shard_lock = threading.RLock()
        self.node_pubsub_mapping = {}
        self._shard_handlers = {}  # the sharded channels asked for
        self._shard_turn = 0
        self._kwargs = kwargs
        self._node_chosen = False
        self._node_given = False
        self.node = None
        self.set_pubsub_node(redis_cluster, node, host, port)
        pool = self._pool_of(self.node) if self.node is not None else \
            _node_pool(redis_cluster, self._any_node())
        PubSub.__init__(self, pool, **kwargs)

    def __repr__(self) -> str:
        return '%s<node=%s,channels=%d,patterns=%d,shard_channels=%d>' % (
            type(self).__name__, getattr(self.node, 'name', None),
            len(self.channels), len(self.patterns),
            len(self._shard_handlers))

    # ---- classic pubsub on one node --------------------------------------

    def _pool_of(self, node):
        return _node_pool(self.cluster, node)

    def _any_node(self):
        return self.cluster.get_default_node() or \
            self.cluster.get_primaries()[0]

    def set_pubsub_node(self, cluster: RedisCluster,
                        node: Optional[ClusterNode] = None,
                        host: Optional[str] = None,
                        port: Optional[int] = None) -> None:
        """Bind the classic pubsub to ``node`` (or the node at ``host`` and
        ``port``); with neither, the node is chosen on the first
        subscribe. RedisClusterException for a node the cluster does not
        know."""
        if node is None and host is not None and port is not None:
            node = cluster.get_node(host=host, port=port)
            if node is None:
                raise RedisClusterException(
                    'Node %s:%s does not exist in the cluster' % (host, port))
        elif node is None and (host is not None or port is not None):
            raise DataError('Passing a host requires passing a port, '
                            'and vice versa')
        elif node is not None and cluster.get_node(
                node_name=node.name) is None:
            raise RedisClusterException(
                'Node %s does not exist in the cluster' % node.name)
        self.node = node
        self._node_chosen = self._node_given = node is not None
        if node is not None and getattr(self, 'connection', None) is None \
                and hasattr(self, 'encoder'):
            self.connection_pool = self._pool_of(node)

    def get_pubsub_node(self) -> Optional[ClusterNode]:
        "The node the classic pubsub is bound to (None until chosen)"
        return self.node

    def get_redis_connection(self) -> Optional[StrictRedis]:
        "The StrictRedis of the classic pubsub's node (None until chosen)"
        if self.node is None:
            return None
        return self.cluster.get_redis_connection(self.node)

    def execute_command(self, *args: Any, **kwargs: Any) -> None:
        with self._lock:
            if self.connection is None and not self._node_chosen:
                # the first command: pick the node now, by the slot of its
                # first channel, so that subscribers spread over the nodes
                if len(args) > 1:
                    slot = self.cluster.keyslot(args[1])
                    node = self.cluster.nodes_manager.get_node_from_slot(slot)
                else:
                    node = self._any_node()
                self.node = node
                self.connection_pool = self._pool_of(node)
                self._node_chosen = True
            return PubSub.execute_command(self, *args, **kwargs)

    def get_message(self, ignore_subscribe_messages: bool = False,
                    timeout: Optional[float] = 0) -> Optional[Dict[str, Any]]:
        """As PubSub.get_message(). When the node cannot be reached (and
        was not given by the caller), the channels and patterns move to
        another node of the cluster, and the error is raised: messages
        published meanwhile are lost, as with any lost connection."""
        try:
            return PubSub.get_message(self, ignore_subscribe_messages,
                                      timeout)
        except CONNECTION_ERRORS:
            self._move_classic()
            raise

    def listen(self) -> Iterator[Dict[str, Any]]:
        """Yield messages as they come, for as long as something is
        subscribed. A lost node is left for another one (see
        get_message()); meanwhile reads are retried with a delay growing
        to 2 s, never raised."""
        backoff = Backoff()
        while self.subscribed:
            try:
                message = self.get_message(timeout=None)
            except RETRIED_ERRORS as e:
                if not self.subscribed:
                    return
                delay = backoff.next()
                logger.warning('PubSub connection lost (%s); reconnecting '
                               'in %.1f s', e, delay)
                time.sleep(delay)
                continue
            backoff.reset()
            if message is not None:
                yield message

    def _move_classic(self):
        """Subscribe the channels and patterns again on another node when
        this one is lost (unless the caller chose it). Never raises: a
        node that fails too is left for the next read."""
        if self._node_given or not self.subscribed:
            return
        manager = self.cluster.nodes_manager
        manager.refresh_after_failure(_monotonic())
        node = self._another_node()
        if node is None:
            return
        with self._lock:
            channels, patterns = dict(self.channels), dict(self.patterns)
            PubSub.reset(self)
            self.node = node
            self.connection_pool = self._pool_of(node)
            try:
                for subscribe, wanted, patterned in (
                        (self.subscribe, channels, False),
                        (self.psubscribe, patterns, True)):
                    if wanted:
                        _subscribe_all(subscribe, wanted,
                                       lambda: self.patterns if patterned
                                       else self.channels, self._stored)
            except CONNECTION_ERRORS:
                # The new node failed as well: the names stay on the books,
                # and the next read connects and subscribes them again.
                self.channels.update(channels)
                self.patterns.update(patterns)

    def _another_node(self):
        "A known node other than the lost one: the first channel's first"
        current = self.node
        candidates = []
        for name in self.channels:
            candidates.append(self._slot_owner(name))
            break
        candidates.append(self._any_node())
        candidates.extend(self.cluster.get_primaries())
        for node in candidates:
            if node is not None and (current is None or
                                     node.name != current.name):
                return node
        return None

    def reset(self) -> None:
        PubSub.reset(self)
        self.reset_sharded()

    def disconnect(self) -> None:
        "Close every connection, classic and sharded (as reset() does)"
        self.reset()

    # ---- sharded pubsub ------------------------------------------------

    @property
    def sharded_subscribed(self) -> bool:
        "True while subscribed to at least one sharded channel"
        return bool(self._shard_handlers) or any(
            pubsub.subscribed for pubsub in self.node_pubsub_mapping.values())

    @property
    def shard_channels(self) -> Dict[Any, Optional[MessageHandlerT]]:
        "{sharded channel: handler or None}, as subscribed so far"
        channels = {}
        for pubsub in list(self.node_pubsub_mapping.values()):
            channels.update(pubsub.channels)
        return channels

    def reset_sharded(self) -> None:
        "Close the sharded connections and forget every sharded channel"
        with self._shard_lock:
            mapping = self.node_pubsub_mapping
            self._shard_handlers = {}
            for pubsub in list(mapping.values()):
                pubsub.reset()
            mapping.clear()

    def _node_pubsub(self, node):
        pubsub = self.node_pubsub_mapping.get(node.name)
        if pubsub is None:
            pubsub = ShardedNodePubSub(self._pool_of(node), node,
                                       self.cluster.keyslot, **self._kwargs)
            self.node_pubsub_mapping[node.name] = pubsub
        return pubsub

    def _stored(self, name):
        encoder = self.encoder
        return encoder.decode(encoder.encode(name))

    def _slot_owner(self, name):
        slot = self.cluster.keyslot(name)
        return self.cluster.nodes_manager.get_node_from_slot(slot)

    def ssubscribe(self, *args: Union[ChannelT, Iterable[ChannelT]],
                   **kwargs: Optional[MessageHandlerT]) -> None:
        """Subscribe to sharded channels, given as arguments or (to have a
        handler called with each message) as ``channel=handler`` keywords;
        each on the node serving its slot."""
        if args:
            args = list_or_args(args[0], args[1:])
        wanted = dict.fromkeys(args)
        wanted.update(kwargs)
        self._subscribe_sharded(wanted)

    def _subscribe_sharded(self, wanted):
        with self._shard_lock:
            self._subscribe_by_node(wanted)

    def _subscribe_by_node(self, wanted):
        by_node = {}
        for name, handler in wanted.items():
            node = self._slot_owner(name)
            by_node.setdefault(node.name, (node, {}))[1][name] = handler
        for node, names in by_node.values():
            pubsub = self._node_pubsub(node)
            _subscribe_all(pubsub.subscribe, names, lambda: pubsub.channels,
                           self._stored)
            for name, handler in names.items():
                self._shard_handlers[self._stored(name)] = handler

    def sunsubscribe(self, *args: Union[ChannelT, Iterable[ChannelT]]) -> None:
        "Unsubscribe from the given sharded channels, or from all of them"
        if args:
            args = list_or_args(args[0], args[1:])
        with self._shard_lock:
            self._unsubscribe_sharded(args)

    def _unsubscribe_sharded(self, args):
        if not args:
            self._shard_handlers = {}
            for pubsub in list(self.node_pubsub_mapping.values()):
                if pubsub.channels:
                    pubsub.unsubscribe()
                else:
                    self._drop_idle(pubsub)
            return
        by_node = {}
        for name in args:
            stored = self._stored(name)
            self._shard_handlers.pop(stored, None)
            for pubsub in self.node_pubsub_mapping.values():
                if stored in pubsub.channels:
                    break
            else:
                pubsub = self.node_pubsub_mapping.get(
                    self._slot_owner(name).name)
                if pubsub is None or pubsub.connection is None:
                    continue
            by_node.setdefault(id(pubsub), (pubsub, []))[1].append(name)
        for pubsub, names in by_node.values():
            pubsub.unsubscribe(*names)

    def get_sharded_message(
            self, ignore_subscribe_messages: bool = False,
            timeout: Optional[float] = 0.0,
            target_node: Optional[ClusterNode] = None,
    ) -> Optional[Dict[str, Any]]:
        """The next message of a sharded channel (type 'smessage', or a
        confirmation 'ssubscribe'/'sunsubscribe'), from ``target_node`` or
        from any node; None when none came within ``timeout`` seconds (0:
        do not wait; None: as long as it takes)."""
        if target_node is not None:
            pubsub = self.node_pubsub_mapping.get(target_node.name)
            if pubsub is None:
                return None
            return self._read_node(pubsub, ignore_subscribe_messages,
                                   timeout)
        deadline = None if timeout is None else _monotonic() + timeout
        while True:
            pubsubs = [pubsub for pubsub in
                       list(self.node_pubsub_mapping.values())
                       if pubsub.connection is not None]
            if not pubsubs:
                return None
            failure = None
            turn = self._shard_turn
            for i in range(len(pubsubs)):
                pubsub = pubsubs[(turn + i) % len(pubsubs)]
                try:
                    message = self._read_node(pubsub,
                                              ignore_subscribe_messages, 0)
                except CONNECTION_ERRORS as e:
                    failure = failure or e
                    continue
                if message is not None:
                    self._shard_turn = (turn + i + 1) % len(pubsubs)
                    return message
            if failure is not None and len(pubsubs) == 1:
                raise failure
            left = None if deadline is None else deadline - _monotonic()
            if left is not None and left <= 0:
                if failure is not None:
                    raise failure
                return None
            _wait_for_any(pubsubs, left)

    def _read_node(self, pubsub, ignore_subscribe_messages, timeout):
        try:
            message = pubsub.get_message(ignore_subscribe_messages, timeout)
        except MovedError as e:
            # an SSUBSCRIBE reached a node that no longer serves the slot
            self._follow_moved(pubsub, e)
            return None
        except CONNECTION_ERRORS:
            self._follow_lost_node(pubsub)
            raise
        if message is not None and message['type'] == 'sunsubscribe':
            self._follow_unannounced(pubsub, message['channel'])
        self._drop_idle(pubsub)
        return message

    def _move_channels(self, pubsub, names):
        "Subscribe ``names`` again on their slot's owner now"
        with self._shard_lock:
            self._move_now(pubsub, names)

    def _move_now(self, pubsub, names):
        handlers = dict((name, pubsub.channels.pop(name, None))
                        for name in names)
        wanted = dict((name, self._shard_handlers.get(name, handlers[name]))
                      for name in names)
        self._drop_idle(pubsub)
        self._subscribe_by_node(wanted)

    def _drop_idle(self, pubsub):
        """Close ``pubsub`` when nothing is subscribed there and nothing
        is on its way: its connection has nothing more to say."""
        with self._shard_lock:
            if pubsub.channels or pubsub.pending_unsubscribe_channels:
                return
            if self.node_pubsub_mapping.get(pubsub.node.name) is pubsub:
                del self.node_pubsub_mapping[pubsub.node.name]
            pubsub.reset()

    def _follow_moved(self, pubsub, error):
        self.cluster.nodes_manager.update_moved_exception(error)
        names = pubsub.slots_of(error.slot_id)
        if names:
            self._move_channels(pubsub, names)

    def _follow_unannounced(self, pubsub, name):
        # A SUNSUBSCRIBE nobody asked for: the node gave the slot away.
        with self._shard_lock:
            if name not in self._shard_handlers or name in pubsub.channels:
                return
            handler = self._shard_handlers[name]
        self.cluster.nodes_manager.refresh_after_failure(_monotonic())
        self._subscribe_sharded({name: handler})

    def _follow_lost_node(self, pubsub):
        # The node is unreachable: after a failover its replica serves the
        # slots, and the channels go there; until then they stay put.
        if not self.cluster.nodes_manager.refresh_after_failure(_monotonic()):
            return
        moved = [name for name in list(pubsub.channels)
                 if self._slot_owner(name).name != pubsub.node.name]
        if moved:
            self._move_channels(pubsub, moved)

    def run_in_thread(self, sleep_time: float = 0, daemon: bool = False,
                      exception_handler: Optional[ExceptionHandlerT] = None,
                      sharded_pubsub: bool = False) -> PubSubWorkerThread:
        """As PubSub.run_in_thread(); with ``sharded_pubsub`` the thread
        reads the sharded channels (every one needs a handler)."""
        if not sharded_pubsub:
            return PubSub.run_in_thread(self, sleep_time, daemon,
                                        exception_handler)
        for name, handler in self.shard_channels.items():
            if handler is None:
                raise PubSubError("Shard channel: '%s' has no handler "
                                  "registered" % nativestr(name))
        thread = PubSubWorkerThread(_ShardedView(self), sleep_time,
                                    daemon=daemon,
                                    exception_handler=exception_handler)
        thread.start()
        return thread


def _subscribe_all(subscribe, wanted, books, stored):
    """``subscribe()`` to every name of ``wanted`` ({name: handler or
    None}): a str name with a handler as a keyword, the others as
    arguments; the handlers of those (bytes names) then go into
    ``books()`` (the channels or patterns dict) under ``stored(name)``."""
    plain = [name for name, handler in wanted.items()
             if handler is None or not isinstance(name, str)]
    keywords = dict((name, handler) for name, handler in wanted.items()
                    if handler is not None and isinstance(name, str))
    subscribe(*plain, **keywords)
    for name in plain:
        if wanted[name] is not None:
            books()[stored(name)] = wanted[name]


def _wait_for_any(pubsubs, timeout):
    """Wait until one of the node pubsubs' connections has something to
    read, up to ``timeout`` seconds (None: no limit)."""
    with selectors.DefaultSelector() as selector:
        for pubsub in pubsubs:
            connection = pubsub.connection
            sock = getattr(connection, '_sock', None)
            if sock is None or not connection.is_idle_and_healthy():
                return  # something to read already, or a reconnect to make
            selector.register(sock, selectors.EVENT_READ)
        selector.select(timeout)
