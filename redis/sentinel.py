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
"""
import os
import random
import threading
import time
import weakref

from redis.client import StrictRedis
from redis.connection import Connection, ConnectionPool
from redis.pool import _current_pid
from redis.exceptions import (  # noqa: F401 (ResponseError: a 2.10.6 name)
    ConnectionError, ReadOnlyError, RedisError, ResponseError, TimeoutError,
)
from redis.utils import nativestr
# (FailoverWatcher lived here; it stays importable from this module)
from redis.sentinel_watch import FailoverWatcher, _flags  # noqa: F401


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

    def __init__(self, **kwargs):
        self.connection_pool = kwargs.pop('connection_pool')
        super(SentinelManagedConnection, self).__init__(**kwargs)
        # no address until connect() picks one
        self.host = self.port = None

    def __repr__(self):
        try:
            service = self.connection_pool.service_name
        except ReferenceError:
            service = '?'
        if self.host:
            return '%s<service=%s,host=%s,port=%s>' % (
                type(self).__name__, service, self.host, self.port)
        return '%s<service=%s>' % (type(self).__name__, service)

    def connect_to(self, address):
        "Connect to ``address`` (host, port), PINGing it if the pool asks"
        self.host, self.port = address
        self._description_args = {'host': self.host, 'port': self.port,
                                  'db': self.db}
        super(SentinelManagedConnection, self).connect()
        if self.connection_pool.check_connection:
            self.send_command('PING')
            if nativestr(self.read_response()) != 'PONG':
                self.disconnect()
                raise ConnectionError('PING failed')

    def connect(self):
        "Connect to the master, or to a slave (the master if none answers)"
        if self._sock:
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

    def read_response(self):
        try:
            return super(SentinelManagedConnection, self).read_response()
        except ReadOnlyError:
            if not self.connection_pool.is_master:
                raise
            # A master that answers READONLY has been demoted. Nothing more
            # goes to it: the next connect asks the sentinels again.
            self.disconnect()
            raise ConnectionError('The previous master is now a slave')


class SentinelConnectionPool(ConnectionPool):
    """A pool of SentinelManagedConnections to the master of
    ``service_name`` (``is_master=True``, the default) or to its slaves.

    ``check_connection=True`` PINGs every new connection before use.
    """

    def __init__(self, service_name, sentinel_manager, **kwargs):
        kwargs['connection_class'] = kwargs.get(
            'connection_class', SentinelManagedConnection)
        self.is_master = kwargs.pop('is_master', True)
        self.check_connection = kwargs.pop('check_connection', False)
        self.service_name = service_name
        self.sentinel_manager = sentinel_manager
        super(SentinelConnectionPool, self).__init__(**kwargs)
        # a proxy, so that connections do not keep their pool alive
        self.connection_kwargs['connection_pool'] = weakref.proxy(self)

    def __repr__(self):
        return '%s<service=%s(%s)>' % (
            type(self).__name__, self.service_name,
            'master' if self.is_master else 'slave')

    def reset(self):
        super(SentinelConnectionPool, self).reset()
        self.master_address = None
        self.slave_rr_counter = None
        # sentinels that announced a failover that has not ended yet
        self.failovers_in_progress = set()
        self._failover_since = self._failover_timeout = None
        # the address a '+switch-master' named, until a sentinel confirms
        # it (sentinels still naming the old master are passed over)
        self._expected_master = None
        self._master_epoch = 0
        self._watcher = None

    # ---- addresses ------------------------------------------------------

    def get_master_address(self):
        "Ask the sentinels where the master is (and remember it)"
        manager = self.sentinel_manager
        if not self.is_master:
            return manager.discover_master(self.service_name)
        if not hasattr(manager, 'find_master_state'):
            address = manager.discover_master(self.service_name)
        else:
            state = manager.find_master_state(
                self.service_name, self._master_epoch, self._expected_master)
            address = state['ip'], state['port']
            self._master_epoch = _int_field(state, 'config-epoch', 0)
            self._failover_timeout = _int_field(state, 'failover-timeout',
                                                None)
            if address == self._expected_master:
                self._expected_master = None
        self._master_is_at(address)
        return address

    def _master_is_at(self, address):
        old, self.master_address = self.master_address, address
        if old is not None and old != address:
            self._drop_idle_connections()

    def _is_stale(self, connection):
        # connected to an address that is no longer the master's
        return (connection._sock is not None
                and self.master_address is not None
                and (connection.host, connection.port) != self.master_address)

    def _drop_idle_connections(self):
        # Idle connections are taken out of the list before they are
        # closed, so none can be closed under a thread that just took it.
        taken = []
        while self._available_connections:
            try:
                taken.append(self._available_connections.pop())
            except IndexError:  # another thread took the last one
                break
        for connection in taken:
            if self._is_stale(connection):
                connection.disconnect()
        taken.reverse()
        self._available_connections.extend(taken)

    def rotate_slaves(self):
        """Yield the service's live slaves round-robin, starting after the
        one the previous connection used, then the master; raise
        SlaveNotFoundError after that."""
        slaves = self.sentinel_manager.discover_slaves(self.service_name)
        if slaves:
            if self.slave_rr_counter is None:
                self.slave_rr_counter = random.randint(0, len(slaves) - 1)
            for _ in range(len(slaves)):
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

    def get_connection(self, command_name, *keys, **options):
        if self.is_master:
            if self.pid != _current_pid():
                self._checkpid()  # a forked child needs its own watcher
            self._check_no_failover()
        connection = super(SentinelConnectionPool, self).get_connection(
            command_name, *keys, **options)
        if self.is_master and self._is_stale(connection):
            connection.disconnect()
        return connection

    def release(self, connection):
        if self.is_master and self._is_stale(connection):
            connection.disconnect()
        super(SentinelConnectionPool, self).release(connection)

    def _check_no_failover(self):
        if self._watcher is None or self._watcher.thread is None:
            watch = getattr(self.sentinel_manager, 'watch_failovers_for', None)
            self._watcher = watch(self) if watch is not None else None
        if self.failovers_in_progress:
            # a failover that outlives the sentinels' failover-timeout was
            # abandoned, even if the news was missed
            limit = (self._failover_timeout or 180000) / 1000.0
            if time.monotonic() - self._failover_since <= limit:
                raise MasterNotFoundError('Failover of %r in progress'
                                          % (self.service_name,))
            self.failovers_in_progress.clear()

    # ---- called by the FailoverWatcher thread ---------------------------

    def failover_started(self, sentinel_address):
        if not self.failovers_in_progress:
            self._failover_since = time.monotonic()
        self.failovers_in_progress.add(sentinel_address)

    def failover_ended(self, sentinel_address):
        self.failovers_in_progress.discard(sentinel_address)

    def master_switched(self, address):
        "A sentinel announced ``address`` as the new master"
        self._expected_master = address
        self._master_is_at(address)
        self.failovers_in_progress.clear()


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

    def __init__(self, sentinels, min_other_sentinels=0, sentinel_kwargs=None,
                 **connection_kwargs):
        if sentinel_kwargs is None:
            sentinel_kwargs = dict((key, value) for key, value
                                   in connection_kwargs.items()
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

    def __repr__(self):
        return '%s<sentinels=[%s]>' % (type(self).__name__, ','.join(
            '%s:%s' % self._address(client) for client in self.sentinels))

    @staticmethod
    def address_of(client):
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
        # The sentinel that answered is asked first next time.
        with self._order_lock:
            if self.sentinels and self.sentinels[0] is not client:
                try:
                    self.sentinels.remove(client)
                except ValueError:
                    return
                self.sentinels.insert(0, client)

    def check_master_state(self, state, service_name):
        "True when ``state`` describes a usable master"
        if not state['is_master'] or state['is_sdown'] or state['is_odown']:
            return False
        # a sentinel that sees too few peers may be on the wrong side of a
        # partition
        return state['num-other-sentinels'] >= self.min_other_sentinels

    def find_master_state(self, service_name, min_epoch=0, expected=None):
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
                    and 'failover_in_progress' not in _flags(state) \
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

    def discover_master(self, service_name):
        """(host, port) of the master of ``service_name``, asking each
        sentinel in turn; MasterNotFoundError when none knows a usable
        one."""
        state = self.find_master_state(service_name)
        return state['ip'], state['port']

    def filter_slaves(self, slaves):
        "(host, port) of the slave states that are not down"
        return [(slave['ip'], slave['port']) for slave in slaves
                if not (slave['is_odown'] or slave['is_sdown']
                        or slave.get('is_disconnected'))]

    def discover_slaves(self, service_name):
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

    def watch_failovers_for(self, pool):
        "Called by master pools: have the FailoverWatcher keep them posted"
        if not self.watch_failovers:
            return None
        with self._order_lock:
            watcher = self.failover_watcher
            # a forked child starts its own: threads do not survive fork()
            if watcher is None or watcher.pid != os.getpid():
                watcher = self.failover_watcher = FailoverWatcher(self)
        watcher.watch(pool)
        return watcher

    def master_for(self, service_name, redis_class=StrictRedis,
                   connection_pool_class=SentinelConnectionPool, **kwargs):
        """A ``redis_class`` client of the master of ``service_name``: its
        ``connection_pool_class`` pool asks the sentinels for the master's
        address when it connects. ``kwargs`` are added to the Sentinel's
        connection_kwargs for the pool."""
        kwargs['is_master'] = True
        return self._client_for(service_name, redis_class,
                                connection_pool_class, kwargs)

    def slave_for(self, service_name, redis_class=StrictRedis,
                  connection_pool_class=SentinelConnectionPool, **kwargs):
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
