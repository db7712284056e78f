"""The nodes of a Redis Cluster and the map of which node serves which slot.

``ClusterNode`` is one server with its own connection pool. ``NodesManager``
keeps ``nodes_cache`` (name -> node) and ``slots_cache`` (slot -> [primary,
replica, ...]) and refreshes them from CLUSTER SLOTS. A refresh replaces
both maps whole and a redirect changes one slot, so commands read them
without a lock. A refresh asks a random known node (not always the
first), runs in one thread at a time (threads that need one meanwhile wait
for its result instead of asking again) and, when only scheduled, at most
once per ``min_refresh_interval``.
"""
from __future__ import annotations

import itertools
import random
import socket
import threading
import time
from typing import Any, Dict, Iterable, List, Optional, Sequence

from redis.client import StrictRedis
from redis.connection import ConnectionPool, DefaultParser, SSLConnection
from redis.cluster_routing import SLOT_COUNT
from redis.connection_classes import Connection
from redis.exceptions import (
    CLUSTER_EXCEPTION_CLASSES, AskError, AuthenticationError, ConnectionError,
    RedisClusterException, ResponseError, SlotNotCoveredError, TimeoutError,
)
from redis.forksafe import current_pid

PRIMARY = 'primary'
REPLICA = 'replica'

# seconds a replica that failed is left out of reads
FAILED_REPLICA_PAUSE = 2.0


def node_name(host, port):
    return '%s:%s' % (host, port)


def _text(value):
    return value.decode('utf-8', 'replace') if isinstance(value, bytes) \
        else str(value)


_SSL_ARGUMENTS = ('ssl_keyfile', 'ssl_certfile', 'ssl_cert_reqs',
                  'ssl_ca_certs', 'ssl_ca_path', 'ssl_ca_data',
                  'ssl_password', 'ssl_check_hostname', 'ssl_min_version',
                  'ssl_ciphers')


def pool_arguments(kwargs):
    """The connection pool arguments of every node, from RedisCluster's
    keyword arguments (StrictRedis's names)"""
    kwargs = dict(kwargs)
    db = kwargs.pop('db', 0)
    if db not in (0, '0', None):
        raise RedisClusterException(
            "Argument 'db' is not possible to use in cluster mode")
    if kwargs.pop('unix_socket_path', None) or kwargs.get('path'):
        raise RedisClusterException(
            'RedisCluster does not support unix socket connections')
    for old, new in (('charset', 'encoding'), ('errors', 'encoding_errors')):
        if old in kwargs:
            kwargs[new] = kwargs.pop(old)
    for name in ('host', 'port', 'connection_pool', 'url'):
        kwargs.pop(name, None)
    if kwargs.pop('ssl', False):
        kwargs.setdefault('connection_class', SSLConnection)
    elif not issubclass(kwargs.get('connection_class', object),
                        SSLConnection):
        for name in _SSL_ARGUMENTS:
            kwargs.pop(name, None)
    return kwargs


_parser_classes = {}


def cluster_parser_class(parser_class):
    """``parser_class`` reading the cluster's error replies (MOVED, ASK,
    TRYAGAIN, CLUSTERDOWN, CROSSSLOT, MASTERDOWN) as their own exceptions"""
    if parser_class.EXCEPTION_CLASSES is CLUSTER_EXCEPTION_CLASSES:
        return parser_class
    cls = _parser_classes.get(parser_class)
    if cls is None:
        cls = type('Cluster' + parser_class.__name__, (parser_class,), {
            'EXCEPTION_CLASSES': CLUSTER_EXCEPTION_CLASSES,
            '__doc__': '%s with the cluster error replies' %
                       parser_class.__name__,
            '__module__': __name__})
        _parser_classes[parser_class] = cls
    return cls


def _send_readonly(connection):
    # a connect callback: reads from replicas need READONLY per connection
    connection.send_command('READONLY')
    connection.read_response()


class ClusterNodePool(ConnectionPool):
    """The pool of one cluster node; with ``readonly`` every new connection
    sends READONLY (replicas then serve reads; on a primary it changes
    nothing, and a node's role can change any time)."""

    def __init__(self, readonly: bool = False, **kwargs: Any) -> None:
        self.readonly = readonly
        super(ClusterNodePool, self).__init__(**kwargs)

    def make_connection(self) -> Connection:
        connection = super(ClusterNodePool, self).make_connection()
        if self.readonly:
            connection.register_connect_callback(_send_readonly)
        return connection


class ClusterNode(object):
    """One server of the cluster: ``host``, ``port``, ``name``
    ('host:port'), ``server_type`` ('primary' or 'replica') and
    ``redis_connection``, a StrictRedis on the node's own pool. Nodes are
    equal when their names are."""

    def __init__(self, host: str, port: int, server_type: Optional[str] = None,
                 redis_connection: Optional[StrictRedis] = None) -> None:
        if host == 'localhost':
            # nodes name themselves by address in CLUSTER SLOTS
            host = socket.gethostbyname(host)
        self.host = host
        self.port = int(port)
        self.name = node_name(host, self.port)
        self.server_type = server_type
        self.connection_pool = None
        self.redis_connection = redis_connection

    @property
    def redis_connection(self) -> Optional[StrictRedis]:
        return self._redis_connection

    @redis_connection.setter
    def redis_connection(self, client: Optional[StrictRedis]) -> None:
        self._redis_connection = client
        # read on every command: one attribute instead of two
        self.connection_pool = None if client is None else \
            client.connection_pool

    def __repr__(self) -> str:
        return 'ClusterNode<host=%s,port=%s,server_type=%s>' % (
            self.host, self.port, self.server_type)

    def __eq__(self, other):
        return isinstance(other, ClusterNode) and other.name == self.name

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self.name)


class NodesManager(object):
    """The cluster's nodes and slot map, and their refreshes.

    ``refresh_count`` counts topology reads that succeeded (the first
    included). ``refresh_due`` is set when a refresh was scheduled (after a
    MOVED or a failed node); the next command runs it.
    """
    min_refresh_interval = 0.1

    def __init__(self, startup_nodes: Iterable[ClusterNode],
                 connection_kwargs: Dict[str, Any],
                 require_full_coverage: bool = True,
                 read_from_replicas: bool = False,
                 response_callbacks: Optional[Dict[str, Any]] = None,
                 reinitialize_steps: int = 5) -> None:
        self.connection_kwargs = connection_kwargs
        self.require_full_coverage = require_full_coverage
        self.read_from_replicas = read_from_replicas
        self.response_callbacks = response_callbacks
        self.reinitialize_steps = reinitialize_steps
        self.startup_nodes = dict((node.name, node) for node in startup_nodes)
        self.nodes_cache = {}
        self.slots_cache = {}
        self.default_node = None
        self.user_default_node = False
        self.refresh_count = 0
        self.refresh_due = False
        self.failed_until = {}
        # when the last refresh that succeeded began, and the last try
        self._refreshed_at = None
        self._tried_at = None
        self._round_robin = itertools.count()
        self._new_locks()
        self.initialize()

    def __repr__(self) -> str:
        return 'NodesManager<%s>' % ','.join(sorted(self.nodes_cache))

    def _new_locks(self):
        self._pid = current_pid()
        self._refresh_lock = threading.Lock()
        self._change_lock = threading.Lock()

    def _locks(self):
        # a lock a parent thread held at fork() would never be released
        # in the child: a forked child makes its own
        if self._pid != current_pid():
            self._new_locks()
        return self._refresh_lock, self._change_lock

    # -- nodes ------------------------------------------------------------

    def make_node(self, host: str, port: int,
                  server_type: Optional[str] = None) -> ClusterNode:
        "A node with its connection pool (not added to the maps)"
        node = ClusterNode(host, port, server_type)
        self.create_redis_connection(node)
        return node

    def create_redis_connection(self, node: ClusterNode) -> StrictRedis:
        kwargs = dict(self.connection_kwargs)
        kwargs['parser_class'] = cluster_parser_class(
            kwargs.get('parser_class', DefaultParser))
        pool = ClusterNodePool(readonly=self.read_from_replicas,
                               host=node.host, port=node.port, **kwargs)
        client = StrictRedis(connection_pool=pool)
        if self.response_callbacks is not None:
            client.response_callbacks = self.response_callbacks
        node.redis_connection = client
        return client

    def get_node(self, host: Optional[str] = None, port: Optional[int] = None,
                 node_name: Optional[str] = None) -> Optional[ClusterNode]:
        "The known node at host:port (or named ``node_name``), or None"
        if node_name is None:
            if host is None or port is None:
                return None
            if host == 'localhost':
                host = socket.gethostbyname(host)
            node_name = '%s:%s' % (host, port)
        return self.nodes_cache.get(node_name)

    def get_nodes_by_server_type(self, server_type: str) -> List[ClusterNode]:
        return [node for node in self.nodes_cache.values()
                if node.server_type == server_type]

    def node_at(self, host: str, port: int,
                server_type: Optional[str] = None) -> ClusterNode:
        """The node at host:port, added to ``nodes_cache`` if new (a
        redirect can name a node the map does not know yet)"""
        name = node_name(host, port)
        node = self.nodes_cache.get(name)
        if node is not None:
            return node
        node = self.startup_nodes.get(name)
        if node is None or node.redis_connection is None:
            node = self.make_node(host, port, server_type)
        _, change_lock = self._locks()
        with change_lock:
            nodes = dict(self.nodes_cache)
            node = nodes.setdefault(name, node)
            self.nodes_cache = nodes
        return node

    # -- slots ------------------------------------------------------------

    def get_node_from_slot(self, slot: int,
                           read_from_replicas: bool = False) -> ClusterNode:
        """The primary serving ``slot``, or with ``read_from_replicas`` one
        of its replicas in turn (the primary when it has none that works);
        SlotNotCoveredError when no node serves it"""
        nodes = self.slots_cache.get(slot)
        if not nodes:
            raise SlotNotCoveredError(
                'Slot "%s" is not covered by the cluster.' % (slot,))
        if read_from_replicas and len(nodes) > 1:
            return self.pick_replica(nodes)
        return nodes[0]

    def pick_replica(self, nodes: Sequence[ClusterNode]) -> ClusterNode:
        "A replica of ``nodes`` ([primary, replica...]) in turn, else primary"
        count = len(nodes) - 1
        start = next(self._round_robin)
        failed = self.failed_until
        for offset in range(count):
            node = nodes[1 + (start + offset) % count]
            if not failed or node.name not in failed or \
                    failed.get(node.name, 0) < time.monotonic():
                return node
        return nodes[0]

    def mark_failed(self, node: ClusterNode) -> None:
        "Leave replica ``node`` out of reads for a while; refresh soon"
        self.failed_until[node.name] = time.monotonic() + FAILED_REPLICA_PAUSE
        self.refresh_due = True

    def update_moved_exception(self, error: AskError) -> ClusterNode:
        """MOVED: the slot is served by the node it names from now on; the
        whole map is refreshed soon (one slot moved, others likely did).
        Returns that node."""
        node = self.node_at(error.host, error.port, PRIMARY)
        if node.server_type != PRIMARY:
            # a replica took over: the refresh will say what the old
            # primary is now
            node.server_type = PRIMARY
        self.slots_cache[error.slot_id] = [node]
        if self.reinitialize_steps:
            self.refresh_due = True
        return node

    on_moved = update_moved_exception

    def replace_default_node(self,
                             failed: Optional[ClusterNode] = None) -> None:
        "Another primary as the default node (when ``failed`` failed)"
        primaries = [node for node in self.get_nodes_by_server_type(PRIMARY)
                     if node != failed]
        if primaries:
            self.default_node = random.choice(primaries)
            self.user_default_node = False

    # -- refreshing -------------------------------------------------------

    def refresh_if_due(self) -> None:
        """Run a scheduled refresh unless another thread is running one or
        one ran less than ``min_refresh_interval`` ago. Never raises."""
        refresh_lock, _ = self._locks()
        if not refresh_lock.acquire(False):
            return
        try:
            if self._recently_refreshed():
                return
            try:
                self._refresh()
            except Exception:
                # keep the map we have; the commands' own errors speak
                pass
        finally:
            refresh_lock.release()

    def refresh_after_failure(self, since: float) -> bool:
        """A node failed at monotonic time ``since``: refresh now, unless a
        refresh that started after ``since`` (or less than
        ``min_refresh_interval`` ago) is done or running. Returns whether
        the map may have changed. Never raises."""
        refresh_lock, _ = self._locks()
        with refresh_lock:
            refreshed_at = self._refreshed_at
            if refreshed_at is not None and refreshed_at >= since:
                return True
            if self._recently_refreshed():
                return False
            try:
                self._refresh()
            except Exception:
                return False
            return True

    def _recently_refreshed(self):
        # failed tries count too: while no node answers, commands must not
        # set off one full round of the nodes each
        return self._tried_at is not None and \
            time.monotonic() - self._tried_at < self.min_refresh_interval

    def initialize(self) -> None:
        """Read the topology from a random known node (or startup node).
        Threads that ask while one reads it wait for that read instead of
        starting theirs. Raises RedisClusterException when no node gives a
        usable answer."""
        refresh_lock, _ = self._locks()
        if not refresh_lock.acquire(False):
            # someone is reading it: their answer is ours
            with refresh_lock:
                return
        try:
            self._refresh()
        finally:
            refresh_lock.release()

    reset = initialize

    def _candidates(self):
        "Nodes to ask, in random order; nodes seen failing last"
        nodes = list(self.nodes_cache.values())
        if not nodes:
            nodes = list(self.startup_nodes.values())
        random.shuffle(nodes)
        now = time.monotonic()
        failed = self.failed_until
        nodes.sort(key=lambda node: failed.get(node.name, 0) > now)
        if self.nodes_cache:
            # startup nodes are the last resort (they may all be gone)
            known = set(self.nodes_cache)
            extra = [node for node in self.startup_nodes.values()
                     if node.name not in known]
            random.shuffle(extra)
            nodes.extend(extra)
        return nodes

    def _refresh(self):
        started = self._tried_at = time.monotonic()
        errors = []
        not_cluster = []
        for node in self._candidates():
            try:
                reply = self._ask_slots(node)
            except AuthenticationError:
                # a wrong password is wrong on every node
                raise
            except ResponseError as e:
                if 'cluster support disabled' in str(e):
                    not_cluster.append(node.name)
                else:
                    errors.append('%s: %s' % (node.name, e))
                continue
            except (ConnectionError, TimeoutError, OSError) as e:
                self.failed_until[node.name] = time.monotonic() + \
                    FAILED_REPLICA_PAUSE
                errors.append('%s: %s' % (node.name, e))
                continue
            problem = self._install(node, reply)
            if problem is None:
                self._refreshed_at = started
                self.refresh_count += 1
                self.refresh_due = False
                return
            errors.append('%s: %s' % (node.name, problem))
        if not_cluster and not errors:
            raise RedisClusterException(
                'Cluster mode is not enabled on %s: it is not a Redis '
                'Cluster node' % ', '.join(not_cluster))
        if not_cluster:
            errors.extend('%s: cluster mode is not enabled' % name
                          for name in not_cluster)
        raise RedisClusterException(
            'Redis Cluster cannot be connected. Please provide at least one '
            'reachable node of the cluster (%s)' % '; '.join(errors))

    def _ask_slots(self, node):
        # The raw CLUSTER SLOTS reply, straight off a connection: the node
        # client's execute_command would run a user's response callback
        # for it, and _install() reads the server's own shape.
        if node.redis_connection is None:
            self.create_redis_connection(node)
        pool = node.connection_pool
        connection = pool.get_connection('CLUSTER SLOTS')
        try:
            connection.send_command('CLUSTER SLOTS')
            return connection.read_response()
        except ResponseError:
            raise
        except BaseException:
            connection.disconnect()
            raise
        finally:
            pool.release(connection)

    def _install(self, asked, reply):
        """Make ``reply`` (CLUSTER SLOTS from node ``asked``) the map;
        a reason it cannot be, or None"""
        old = dict(self.startup_nodes)
        old.update(self.nodes_cache)
        nodes = {}
        slots = {}
        covered = 0

        def node_for(entry):
            host = _text(entry[0])
            if not host or host == '?':
                host = asked.host
            name = node_name(host, int(entry[1]))
            node = nodes.get(name)
            if node is None:
                node = old.get(name)
                if node is None or node.redis_connection is None:
                    node = self.make_node(host, entry[1])
                nodes[name] = node
            return node

        primaries = set()
        for entry in reply:
            first, last = int(entry[0]), int(entry[1])
            serving = [node_for(entry[2])]
            primaries.add(serving[0].name)
            serving.extend(node_for(replica) for replica in entry[3:])
            for slot in range(first, last + 1):
                slots[slot] = serving
            covered += last - first + 1
        if not nodes:
            return 'it serves no slot'
        if self.require_full_coverage and covered < SLOT_COUNT:
            return 'it covers %d of %d slots' % (covered, SLOT_COUNT)
        _, change_lock = self._locks()
        with change_lock:
            for name, node in nodes.items():
                node.server_type = PRIMARY if name in primaries else REPLICA
            self.nodes_cache = nodes
            self.slots_cache = slots
            default = self.default_node
            if default is None or default.name not in nodes or (
                    not self.user_default_node and
                    default.server_type != PRIMARY):
                primaries = [node for node in nodes.values()
                             if node.server_type == PRIMARY]
                self.default_node = random.choice(primaries)
                self.user_default_node = False
            now = time.monotonic()
            self.failed_until = dict(
                (name, until) for name, until in
                list(self.failed_until.items())
                if until > now)
        return None

    def close(self) -> None:
        "Disconnect every node's connections"
        for node in list(self.nodes_cache.values()):
            if node.connection_pool is not None:
                node.connection_pool.disconnect()


__all__ = ['PRIMARY', 'REPLICA', 'ClusterNode', 'ClusterNodePool',
           'NodesManager', 'cluster_parser_class', 'node_name',
           'pool_arguments']
