"""Redis Sentinel support: find the master and the slaves of a service
through its sentinels, and clients whose pools connect wherever the service
currently is.

Beyond 2.10.6:

- A master pool remembers the address it resolved. When the sentinels name
  another one, only the connections to the old address are dropped (idle
  ones at once, busy ones when they come back); 2.10.6 never updated the
  address, so after a failover it dropped every connection on every connect.
- A master pool follows failovers as they happen (FailoverWatcher): from
  the moment a sentinel announces a failover of the service until one
  announces the switch, the pool raises MasterNotFoundError instead of
  handing out connections, so no write reaches a master about to be
  demoted (it would be lost); after the switch, only the new master is used.
  What it learns (the announced address, the latest config epoch) makes
  Sentinel.discover_master pass over sentinels that lag behind; pools still
  get every address from discover_master, so a subclass overriding it is
  called as in 2.10.6.
"""
from __future__ import annotations

import os  # noqa: F401 (a 2.10.6 module-level name)
import random
import threading
import time
import weakref
from typing import (
    Any, Dict, Iterable, Iterator, List, Optional, Tuple, Type, TypeVar,
    overload,
)

from redis._compat import iteritems, xrange
from redis.client import StrictRedis
from redis.connection_classes import (
    Connection, SSLConnection, connection_is_open,
)
from redis.pool import ConnectionPool
from redis.exceptions import (  # noqa: F401 (ResponseError: a 2.10.6 name)
    ConnectionError, ReadOnlyError, RedisError, ResponseError, TimeoutError,
)
from redis.forksafe import inherited
from redis.utils import nativestr
# (FailoverWatcher is importable from here too: code may expect it here)
from redis.sentinel_watch import FailoverWatcher, state_flags

_ClientT = TypeVar('_ClientT')


class MasterNotFoundError(ConnectionError):
    pass


class SlaveNotFoundError(ConnectionError):
    pass


def _int_field(state, name, default):
    try:
        return int(state.get(name, default))
    except (TypeError, ValueError):
        return default


class SentinelManagedConnection(Connection):
    """A connection to a service's master or one of its slaves: the address
    is asked of the pool (and so of the sentinels) each time it connects."""

    def __init__(self, **kwargs: Any) -> None:
        self.connection_pool = kwargs.pop('connection_pool')
        super(SentinelManagedConnection, self).__init__(**kwargs)
        # host and port keep Connection's defaults until connect_to() sets
        # them (as in 2.10.6), but the repr names no address before that
        self._address_picked = False

    def __repr__(self) -> str:
        try:
            service = self.connection_pool.service_name
        except ReferenceError:
            service = '?'
        if self._address_picked and self.host:
            return '%s<service=%s,host=%s,port=%s>' % (
                type(self).__name__, service, self.host, self.port)
        return '%s<service=%s>' % (type(self).__name__, service)

    def connect_to(self, address: Tuple[str, int]) -> None:
        "Connect to ``address`` (host, port), PINGing it if the pool asks"
        self.host, self.port = address
        self._address_picked = True
        self._description_args = {'host': self.host, 'port': self.port,
                                  'db': self.db}
        super(SentinelManagedConnection, self).connect()
        if self.connection_pool.check_connection:
            self.send_command('PING')
            if nativestr(self.read_response()) != 'PONG':
                self.disconnect()
                raise ConnectionError('PING failed')

    def connect(self) -> None:
        "Connect to the master, or to a slave (the master if none answers)"
        if self.is_connected:
            return
        pool = self.connection_pool
        if pool.is_master:
            return self.connect_to(pool.get_master_address())
        # rotate_slaves() ends with the master and raises SlaveNotFoundError
        # when it has nothing more to offer
        for address in pool.rotate_slaves():
            try:
                return self.connect_to(address)
            except (ConnectionError, TimeoutError):
                continue
        # (only a rotate_slaves() of a subclass can run out without raising)
        raise SlaveNotFoundError('No slave found for %r'
                                 % (pool.service_name,))

    def read_response(self) -> Any:
        try:
            return super(SentinelManagedConnection, self).read_response()
        except ReadOnlyError:
            if not self.connection_pool.is_master:
                raise
            # A master that answers READONLY has been demoted. Nothing more
            # goes to it: the next connect asks the sentinels again.
            self.disconnect()
            raise ConnectionError('The previous master is now a slave')


class SentinelManagedSSLConnection(SentinelManagedConnection, SSLConnection):
    """A SentinelManagedConnection over TLS (``ssl=True`` for master_for or
    slave_for, or in the Sentinel's connection_kwargs): the ssl_* options
    apply to every master and slave, whose certificates must name the
    address the sentinels give."""


class SentinelConnectionPool(ConnectionPool):
    """A pool of SentinelManagedConnections to the master of
    ``service_name`` (``is_master=True``, the default) or to its slaves.

    ``check_connection=True`` PINGs every new connection before use.
    """

    def __init__(self, service_name: str, sentinel_manager: Sentinel,
                 **kwargs: Any) -> None:
        use_ssl = kwargs.pop('ssl', False)
        kwargs['connection_class'] = kwargs.get(
            'connection_class', SentinelManagedSSLConnection if use_ssl
            else SentinelManagedConnection)
        self.is_master = kwargs.pop('is_master', True)
        self.check_connection = kwargs.pop('check_connection', False)
        self.service_name = service_name
        self.sentinel_manager = sentinel_manager
        super(SentinelConnectionPool, self).__init__(**kwargs)
        # a proxy, so that connections do not keep their pool alive
        self.connection_kwargs['connection_pool'] = weakref.proxy(self)

    def __repr__(self) -> str:
        return '%s<service=%s(%s)>' % (
            type(self).__name__, self.service_name,
            'master' if self.is_master else 'slave')

    def reset(self) -> None:
        super(SentinelConnectionPool, self).reset()
        self.master_address = None
        self.slave_rr_counter = None
        # sentinels that announced a failover that has not ended yet
        self.failovers_in_progress = set()
        self._failover_since = None
        self._watcher = None

    def _checkpid(self):
        # A forked child starts the pool afresh, through __init__ with the
        # arguments 2.10.6 passed (a subclass's __init__ runs again). The
        # parent's connections are forgotten, not closed: their sockets are
        # the parent's too.
        if not inherited(self.pid):
            return
        with self._check_lock:
            if not inherited(self.pid):
                return  # another thread did it meanwhile
            self.__init__(self.service_name, self.sentinel_manager,
                          is_master=self.is_master,
                          check_connection=self.check_connection,
                          connection_class=self.connection_class,
                          max_connections=self.max_connections,
                          **self.connection_kwargs)

    # ---- addresses ------------------------------------------------------

    def get_master_address(self) -> Tuple[str, int]:
        "Ask the sentinels where the master is (a master pool remembers it)"
        address = self.sentinel_manager.discover_master(self.service_name)
        if self.is_master:
            self._master_is_at(address)
        return address

    def _master_is_at(self, address):
        old, self.master_address = self.master_address, address
        if old is not None and old != address:
            self._drop_idle_connections()

    def _is_stale(self, connection):
        # connected to an address that is no longer the master's
        return (connection_is_open(connection)
                and self.master_address is not None
                and (connection.host, connection.port) != self.master_address)

    def _drop_idle_connections(self):
        self.disconnect_idle(self._is_stale)

    def rotate_slaves(self) -> Iterator[Tuple[str, int]]:
        """Yield the service's live slaves round-robin, starting after the
        one the previous connection used, then the master; raise
        SlaveNotFoundError after that."""
        slaves = self.sentinel_manager.discover_slaves(self.service_name)
        if slaves:
            if self.slave_rr_counter is None:
                self.slave_rr_counter = random.randint(0, len(slaves) - 1)
            for _ in xrange(len(slaves)):
                self.slave_rr_counter = (self.slave_rr_counter + 1) \
                    % len(slaves)
                yield slaves[self.slave_rr_counter]
        try:
            yield self.get_master_address()
        except MasterNotFoundError:
            pass
        raise SlaveNotFoundError('No slave found for %r'
                                 % (self.service_name,))

    # ---- connections ----------------------------------------------------

    def get_connection(self, command_name: str, *keys: Any,
                       **options: Any) -> Connection:
        if self.is_master:
            self._checkpid()  # a forked child needs its own watcher
            self._check_no_failover()
        connection = super(SentinelConnectionPool, self).get_connection(
            command_name, *keys, **options)
        if self.is_master and self._is_stale(connection):
            connection.disconnect()
        return connection

    def release(self, connection: Connection) -> None:
        if self.is_master and self._is_stale(connection):
            connection.disconnect()
        super(SentinelConnectionPool, self).release(connection)

    def _check_no_failover(self):
        manager = self.sentinel_manager
        if self._watcher is None or self._watcher.thread is None:
            watch = getattr(manager, 'watch_failovers_for', None)
            self._watcher = watch(self) if watch is not None else None
        if self.failovers_in_progress:
            # a failover that outlives the sentinels' failover-timeout was
            # abandoned, even if the news was missed
            timeout_of = getattr(manager, 'failover_timeout_of', None)
            limit = (timeout_of and timeout_of(self.service_name)
                     or 180000) / 1000.0
            if time.monotonic() - self._failover_since <= limit:
                raise MasterNotFoundError('Failover of %r in progress'
                                          % (self.service_name,))
            self.failovers_in_progress.clear()

    # ---- called by the FailoverWatcher thread ---------------------------

    def failover_started(self, sentinel_address: Tuple[str, int]) -> None:
        if not self.failovers_in_progress:
            self._failover_since = time.monotonic()
        self.failovers_in_progress.add(sentinel_address)

    def failover_ended(self, sentinel_address: Tuple[str, int]) -> None:
        self.failovers_in_progress.discard(sentinel_address)

    def master_switched(self, address: Tuple[str, int]) -> None:
        "A sentinel announced ``address`` as the new master"
        expect = getattr(self.sentinel_manager, 'expect_master', None)
        if expect is not None:
            expect(self.service_name, address)
        self._master_is_at(address)
        self.failovers_in_progress.clear()


class _KnownMaster(object):
    "What a Sentinel learnt about the master of one service"
    __slots__ = ('epoch', 'expected', 'failover_timeout')

    def __init__(self):
        # config epoch of the state last found (sentinels at an older one
        # have not heard of the latest failover)
        self.epoch = 0
        # the address a '+switch-master' named, until a sentinel confirms
        # it (sentinels still naming the old master are passed over)
        self.expected = None
        # the sentinels' failover-timeout in ms, as they last said
        self.failover_timeout = None

    def __repr__(self):
        return '%s<epoch=%s,expected=%r>' % (type(self).__name__, self.epoch,
                                             self.expected)


class Sentinel(object):
    """The sentinels of one or more services.

    ``sentinels``: list of (host, port). ``min_other_sentinels``: a sentinel
    that sees fewer other sentinels than this is not believed about a
    master. ``sentinel_kwargs``: connection options (StrictRedis keyword
    arguments) for the sentinels themselves; by default the ``socket_*``
    options of ``connection_kwargs``. ``connection_kwargs``: options for
    the connections to the masters and slaves.
    """
    # False: master pools do without a FailoverWatcher
    watch_failovers = True

    def __init__(self, sentinels: Iterable[Tuple[str, int]],
                 min_other_sentinels: int = 0,
                 sentinel_kwargs: Optional[Dict[str, Any]] = None,
                 **connection_kwargs: Any) -> None:
        if sentinel_kwargs is None:
            sentinel_kwargs = dict((key, value) for key, value
                                   in iteritems(connection_kwargs)
                                   if key.startswith('socket_'))
        self.sentinel_kwargs = sentinel_kwargs
        sentinels = [tuple(address) for address in sentinels]
        # StrictRedis is this module's global, looked up now so that code
        # replacing redis.sentinel.StrictRedis changes the next Sentinel
        self.sentinels = [StrictRedis(host, port, **self.sentinel_kwargs)
                          for host, port in sentinels]
        self._addresses = dict((id(client), (host, port)) for client,
                               (host, port) in zip(self.sentinels, sentinels))
        self.min_other_sentinels = min_other_sentinels
        self.connection_kwargs = connection_kwargs
        self._order_lock = threading.Lock()
        self.failover_watcher = None
        # service name -> _KnownMaster
        self._known_masters = {}

    def __repr__(self) -> str:
        return '%s<sentinels=[%s]>' % (type(self).__name__, ','.join(
            '%s:%s' % self._address(client) for client in self.sentinels))

    @staticmethod
    def address_of(client: Any) -> Optional[Tuple[str, int]]:
        "(host, port) of a sentinel client, or None if it does not say"
        try:
            kwargs = client.connection_pool.connection_kwargs
            return kwargs['host'], kwargs['port']
        except (AttributeError, KeyError, TypeError):
            return None

    def _address(self, client):
        return (self._addresses.get(id(client)) or self.address_of(client)
                or ('?', '?'))

    def _to_front(self, client):
        # The sentinel that answered is asked first next time; it swaps
        # places with the first one, as in 2.10.6.
        with self._order_lock:
            sentinels = self.sentinels
            for index, other in enumerate(sentinels):
                if other is client:
                    sentinels[0], sentinels[index] = client, sentinels[0]
                    return

    def check_master_state(self, state: Dict[str, Any],
                           service_name: str) -> bool:
        "True when ``state`` describes a usable master"
        if not state['is_master'] or state['is_sdown'] or state['is_odown']:
            return False
        # a sentinel that sees too few peers may be on the wrong side of a
        # partition
        return state['num-other-sentinels'] >= self.min_other_sentinels

    def find_master_state(self, service_name: str, min_epoch: int = 0,
                          expected: Optional[Tuple[str, int]] = None,
                          ) -> Dict[str, Any]:
        """The master state of ``service_name`` from the first sentinel that
        has a usable one. Preferred: a state at config epoch ``min_epoch``
        or later, at address ``expected`` (when given), from a sentinel not
        in the middle of a failover; otherwise the first usable state."""
        fallback = None
        errors = []
        for client in list(self.sentinels):
            try:
                masters = client.sentinel_masters()
            except (RedisError, OSError) as e:
                host, port = self._address(client)
                errors.append('%s:%s %s' % (host, port, e))
                continue
            state = masters.get(service_name)
            if not state or not self.check_master_state(state, service_name):
                continue
            if _int_field(state, 'config-epoch', 0) >= min_epoch \
                    and 'failover_in_progress' not in state_flags(state) \
                    and expected in (None, (state['ip'], state['port'])):
                self._to_front(client)
                return state
            if fallback is None:
                fallback = client, state
        if fallback is not None:
            self._to_front(fallback[0])
            return fallback[1]
        message = 'No master found for %r' % (service_name,)
        if errors and len(errors) == len(self.sentinels):
            message += ' (%s)' % '; '.join(errors)
        raise MasterNotFoundError(message)

    def discover_master(self, service_name: str) -> Tuple[str, int]:
        """(host, port) of the master of ``service_name``, asking each
        sentinel in turn; MasterNotFoundError when none knows a usable
        one. Every connection of a pool to the master or (as the last
        resort) of a slave pool gets its address from here.

        Sentinels that may not have heard of the latest failover yet are
        believed only when no other has a usable answer: those at an older
        config epoch than the last answer, those with a failover in
        progress and, after a '+switch-master', those naming another
        address than it did."""
        known = self._known_masters.get(service_name) or _KnownMaster()
        state = self.find_master_state(service_name, known.epoch,
                                       known.expected)
        address = state['ip'], state['port']
        with self._order_lock:
            known = self._known_masters.setdefault(service_name, known)
            known.epoch = _int_field(state, 'config-epoch', 0)
            known.failover_timeout = _int_field(state, 'failover-timeout',
                                                None)
            if known.expected == address:
                known.expected = None
        return address

    def expect_master(self, service_name: str,
                      address: Tuple[str, int]) -> None:
        "Note that a sentinel announced ``address`` as the new master"
        with self._order_lock:
            self._known_masters.setdefault(
                service_name, _KnownMaster()).expected = address

    def failover_timeout_of(self, service_name: str) -> Optional[int]:
        "The sentinels' failover-timeout (ms) for the service, if known"
        known = self._known_masters.get(service_name)
        return known.failover_timeout if known is not None else None

    def filter_slaves(
            self, slaves: Iterable[Dict[str, Any]],
    ) -> List[Tuple[str, int]]:
        "(host, port) of the slave states that are not down"
        return [(slave['ip'], slave['port']) for slave in slaves
                if not (slave['is_odown'] or slave['is_sdown']
                        or slave.get('is_disconnected'))]

    def discover_slaves(self, service_name: str) -> List[Tuple[str, int]]:
        "(host, port) of the live slaves of ``service_name`` (maybe [])"
        for client in list(self.sentinels):
            try:
                slaves = client.sentinel_slaves(service_name)
            except (RedisError, OSError):
                continue
            slaves = self.filter_slaves(slaves)
            if slaves:
                return slaves
        return []

    def watch_failovers_for(
            self, pool: SentinelConnectionPool) -> Optional[FailoverWatcher]:
        "Called by master pools: have the FailoverWatcher keep them posted"
        if not self.watch_failovers:
            return None
        with self._order_lock:
            watcher = self.failover_watcher
            # a forked child starts its own: threads do not survive fork()
            if watcher is None or inherited(watcher.pid):
                watcher = self.failover_watcher = FailoverWatcher(self)
        watcher.watch(pool)
        return watcher

    @overload
    def master_for(self, service_name: str, redis_class: Type[_ClientT],
                   connection_pool_class: Type[SentinelConnectionPool] = ...,
                   **kwargs: Any) -> _ClientT:
        ...

    @overload
    def master_for(self, service_name: str, *,
                   connection_pool_class: Type[SentinelConnectionPool] = ...,
                   **kwargs: Any) -> StrictRedis:
        ...

    def master_for(self, service_name: str,
                   redis_class: Type[Any] = StrictRedis,
                   connection_pool_class: Type[
                       SentinelConnectionPool] = SentinelConnectionPool,
                   **kwargs: Any) -> Any:
        """A ``redis_class`` client of the master of ``service_name``: its
        ``connection_pool_class`` pool asks the sentinels for the master's
        address when it connects. ``kwargs`` are added to the Sentinel's
        connection_kwargs for the pool."""
        kwargs['is_master'] = True
        return self._client_for(service_name, redis_class,
                                connection_pool_class, kwargs)

    @overload
    def slave_for(self, service_name: str, redis_class: Type[_ClientT],
                  connection_pool_class: Type[SentinelConnectionPool] = ...,
                  **kwargs: Any) -> _ClientT:
        ...

    @overload
    def slave_for(self, service_name: str, *,
                  connection_pool_class: Type[SentinelConnectionPool] = ...,
                  **kwargs: Any) -> StrictRedis:
        ...

    def slave_for(self, service_name: str,
                  redis_class: Type[Any] = StrictRedis,
                  connection_pool_class: Type[
                      SentinelConnectionPool] = SentinelConnectionPool,
                  **kwargs: Any) -> Any:
        """A ``redis_class`` client of the slaves of ``service_name``: each
        new connection goes to the next live slave, or to the master when
        none answers. ``kwargs`` as for master_for."""
        kwargs['is_master'] = False
        return self._client_for(service_name, redis_class,
                                connection_pool_class, kwargs)

    def _client_for(self, service_name, redis_class, pool_class, kwargs):
        connection_kwargs = dict(self.connection_kwargs)
        connection_kwargs.update(kwargs)
        return redis_class(connection_pool=pool_class(
            service_name, self, **connection_kwargs))
