"""Connection pools: the blocking-free default and the blocking one.

A pool changes its state (which connections are idle, which handed out,
how many exist) only while holding its lock, so that no thread sees a
connection in neither place or in both, whatever the interpreter makes
atomic (a free-threaded build makes nothing so). It never holds the lock
during I/O: connecting, disconnecting and the health check's poll happen
outside it, so one slow socket never stalls every other thread.

After fork() a child drops the connections it inherited without touching
their sockets, which still belong to the parent, and never takes a lock
the parent had: a parent thread may have held it at that moment, and the
child has no thread that would release it.
"""
from __future__ import annotations

import threading
import warnings
from queue import Empty, Full, LifoQueue, Queue
from typing import Any, Callable, Optional, Type, TypeVar
from urllib.parse import parse_qs, unquote, urlparse

from redis.connection_classes import (
    URLUsername, accepts_argument,
    Connection, SSLConnection, UnixDomainSocketConnection,
)
from redis.exceptions import ConnectionError
from redis import forksafe
from redis.forksafe import current_pid
from redis.resp import Encoder

FALSE_STRINGS = ('0', 'F', 'FALSE', 'N', 'NO')


def to_bool(value):
    if value is None or value == '':
        return None
    if isinstance(value, str) and value.upper() in FALSE_STRINGS:
        return False
    return bool(value)


URL_QUERY_ARGUMENT_PARSERS = {
    'socket_timeout': float,
    'socket_connect_timeout': float,
    'socket_keepalive': to_bool,
    'retry_on_timeout': to_bool,
    'max_connections': int,
    'health_check_interval': float,
    # BlockingConnectionPool's wait (as today's redis-py reads it)
    'timeout': float,
    # rediss:// (the other ssl_* options are taken as the strings they
    # are: SSLConnection checks them)
    'ssl_check_hostname': to_bool,
}

def parse_url(url, db=None, decode_components=False):
    """The connection keyword arguments a redis://, rediss:// or unix://
    URL stands for. A user name in it (``redis://user:secret@host``) is
    sent with the password (AUTH user secret)."""
    url = urlparse(url)
    # 2.10.6 took any other scheme (and 'host:port' with none) for TCP and
    # connected somewhere unintended; refusing it is the safer answer.
    if url.scheme not in ('redis', 'rediss', 'unix'):
        raise ValueError('Redis URL must specify one of the following '
                         'schemes (redis://, rediss://, unix://)')
    url_options = {}
    for name, value in parse_qs(url.query).items():
        if value and len(value) > 0:
            parser = URL_QUERY_ARGUMENT_PARSERS.get(name)
            if parser:
                try:
                    url_options[name] = parser(value[0])
                except (TypeError, ValueError):
                    raise ValueError(
                        'Invalid value for `%s` in connection URL.' % name)
            else:
                url_options[name] = value[0]

    if decode_components:
        username = unquote(url.username) if url.username else None
        password = unquote(url.password) if url.password else None
        path = unquote(url.path) if url.path else None
        hostname = unquote(url.hostname) if url.hostname else None
    else:
        username = url.username or None
        password = url.password
        path = url.path
        hostname = url.hostname
    if username is not None:
        # (an ACL user: redis://user:secret@host; redis://:secret@host
        # authenticates as 2.10.6 did, with the password alone. 2.10.6
        # ignored a URL's user name, and URLs such as redis://h:secret@host
        # were written for it: URLUsername lets the connection fall back to
        # the password alone when the server knows no such user.)
        url_options['username'] = URLUsername(username)

    if url.scheme == 'unix':
        url_options.update({
            'password': password,
            'path': path,
            'connection_class': UnixDomainSocketConnection,
        })
    else:
        try:
            port = int(url.port or 6379)
        except ValueError:
            # (urllib's message quotes the netloc, where a password with a
            # '/' or '#' left unquoted would show)
            raise ValueError('Invalid port in connection URL.') from None
        url_options.update({
            'host': hostname,
            'port': port,
            'password': password,
        })
        # a db number in the query string wins over one in the path
        if 'db' not in url_options and path:
            try:
                url_options['db'] = int(path.replace('/', ''))
            except (AttributeError, ValueError):
                pass
        if url.scheme == 'rediss':
            url_options['connection_class'] = SSLConnection

    try:
        url_options['db'] = int(url_options.get('db', db or 0))
    except (TypeError, ValueError):
        raise ValueError('Invalid value for `db` in connection URL.')
    return url_options


_PoolT = TypeVar('_PoolT', bound='ConnectionPool')

class ConnectionPool(object):
    "Generic connection pool"
    _own_checkpid = False  # (see __init__)
    # The lock guarding the pool's state and the process that made it (see
    # _lock_here); class-level so that a subclass whose reset() does not
    # call this one still gets a lock on first use.
    _lock = None
    _lock_pid = None
    # The process in which the hot path may skip _checkpid() and take
    # _lock as it is (see _prepare); None until the first checkout.
    _ready_pid = None

    @classmethod
    def from_url(cls: Type[_PoolT], url: str, db: Optional[int] = None,
                 decode_components: bool = False, **kwargs: Any) -> _PoolT:
        """A pool configured by a URL: ``redis://[:password]@host:port/db``,
        ``rediss://...`` for TLS or ``unix://[:password]@/path.sock?db=N``.

        The database comes from the ``db`` query option, else the path, else
        the ``db`` argument. Query options are typed (see
        URL_QUERY_ARGUMENT_PARSERS; a bad value raises ValueError naming
        it); keyword arguments win over the URL's options.
        ``decode_components`` percent-decodes host, password and path.
        """
        url_options = parse_url(url, db, decode_components)
        url_options.update(kwargs)
        if 'charset' in url_options:
            warnings.warn(DeprecationWarning(
                '"charset" is deprecated. Use "encoding" instead'))
            url_options['encoding'] = url_options.pop('charset')
        if 'errors' in url_options:
            warnings.warn(DeprecationWarning(
                '"errors" is deprecated. Use "encoding_errors" instead'))
            url_options['encoding_errors'] = url_options.pop('errors')
        return cls(**url_options)

    def __init__(self, connection_class: Type[Connection] = Connection,
                 max_connections: Optional[int] = None,
                 **connection_kwargs: Any) -> None:
        """Connections of ``connection_class`` (a TCP Connection by
        default), built with ``connection_kwargs``; past ``max_connections``
        open at once, ConnectionError('Too many connections')."""
        max_connections = max_connections or 2 ** 31
        if not isinstance(max_connections, int) or max_connections < 0:
            raise ValueError('"max_connections" must be a positive integer')

        self.connection_class = connection_class
        self.connection_kwargs = connection_kwargs
        self.max_connections = max_connections
        # whether _checkpid() is ConnectionPool's own, which the hot path
        # then calls only after a fork (a subclass's runs every time)
        self._own_checkpid = type(self)._checkpid is _CHECKPID

        self.reset()

    def __repr__(self) -> str:
        return "%s<%s>" % (type(self).__name__, self._describe_connection())

    def _describe_connection(self):
        args = {'host': 'localhost', 'port': 6379, 'db': 0, 'path': ''}
        args.update(self.connection_kwargs)
        try:
            return self.connection_class.description_format % args
        except (AttributeError, KeyError, TypeError, ValueError):
            return self.connection_class.__name__

    def reset(self) -> None:
        self.pid = current_pid()
        self._created_connections = 0
        self._available_connections = []
        self._in_use_connections = set()
        # Only a forked child ever takes _check_lock, so no thread of the
        # parent can hold it at fork() and leave the child waiting on it.
        self._check_lock = threading.Lock()
        self._new_lock()

    def _new_lock(self):
        self._lock = threading.Lock()
        self._lock_pid = current_pid()
        return self._lock

    def _lock_here(self):
        # The state lock, unless it was made by a parent process: a parent
        # thread may have held it at fork() and no thread here would ever
        # release it. Our _checkpid() resets the pool (and so the lock) in
        # a child; this covers a subclass whose _checkpid() or reset() does
        # not, and disconnect(), which 2.10.6 ran without _checkpid().
        if self._lock_pid != current_pid():
            return self._new_lock()
        return self._lock

    def _prepare(self):
        # The slow path of checkout and release: after a fork, or for a
        # subclass whose _checkpid() must run every time.
        self._checkpid()
        lock = self._lock_here()
        if self._own_checkpid and not forksafe.inherited(self.pid):
            self._ready_pid = self._lock_pid
        return lock

    def _checkpid(self):
        if forksafe.inherited(self.pid):
            with self._check_lock:
                if not forksafe.inherited(self.pid):
                    return  # another thread already did the reset
                # Forget the parent's connections without closing them:
                # their sockets are the parent's too.
                self.reset()

    def get_connection(self, command_name: str, *keys: Any,
                       **options: Any) -> Connection:
        "Get a connection from the pool"
        lock = self._lock if self._ready_pid == forksafe.pid \
            else self._prepare()
        # (a with block: a signal between a bare acquire() and its try
        # would leave the lock held for ever)
        with lock:
            if self._available_connections:
                connection = self._available_connections.pop()
                self._in_use_connections.add(connection)
            else:
                connection = None
        if connection is None:
            # a new connection is not connected: nothing for disconnect()
            # to miss until it is added
            connection = self.make_connection()
            with lock:
                self._in_use_connections.add(connection)
        elif isinstance(connection, Connection):
            _ensure_healthy(connection)
        return connection

    def get_encoder(self) -> Encoder:
        "Return an encoder based on encoding settings"
        kwargs = self.connection_kwargs
        return Encoder(
            encoding=kwargs.get('encoding', 'utf-8'),
            encoding_errors=kwargs.get('encoding_errors', 'strict'),
            decode_responses=kwargs.get('decode_responses', False)
        )

    def make_connection(self) -> Connection:
        "Create a new connection"
        lock = self._lock_here()
        with lock:
            if self._created_connections >= self.max_connections:
                raise ConnectionError("Too many connections")
            self._created_connections += 1
        try:
            return self.connection_class(**self._connection_arguments())
        except BaseException:
            with lock:
                self._created_connections -= 1
            raise

    def _connection_arguments(self):
        kwargs = self.connection_kwargs
        if isinstance(kwargs.get('username'), URLUsername) and \
                not accepts_argument(self.connection_class, 'username'):
            # A connection class written for 2.10.6, which ignored a URL's
            # user name (it may be set after the pool was made, as
            # fakeredis does).
            kwargs = dict(kwargs)
            del kwargs['username']
        return kwargs

    def release(self, connection: Connection) -> None:
        "Releases the connection back to the pool"
        lock = self._lock if self._ready_pid == forksafe.pid \
            else self._prepare()
        if connection.pid != self.pid:
            return
        with lock:
            try:
                self._in_use_connections.remove(connection)
            except KeyError:
                # released twice, or not ours: adding it again would let
                # two callers share one socket
                return
            self._available_connections.append(connection)

    def disconnect(self) -> None:
        "Disconnects all connections in the pool"
        with self._lock_here():
            connections = (list(self._available_connections) +
                           list(self._in_use_connections))
        for connection in connections:
            connection.disconnect()

    def disconnect_idle(
            self, predicate: Optional[Callable[[Connection], Any]] = None,
    ) -> int:
        """Disconnect the idle connections for which ``predicate(connection)``
        is true (every idle one without a predicate). They stay in the pool
        and connect again when next used; none is handed out while it is
        being disconnected. ``predicate`` runs under the pool's lock: it
        must only look at the connection, never do I/O."""
        lock = self._lock_here()
        with lock:
            keep, chosen = [], []
            for connection in self._available_connections:
                if predicate is None or predicate(connection):
                    chosen.append(connection)
                else:
                    keep.append(connection)
            self._available_connections[:] = keep
        for connection in chosen:
            connection.disconnect()
        with lock:
            # at the cold end: the connected ones are handed out first
            self._available_connections[:0] = chosen
        return len(chosen)


_CHECKPID = ConnectionPool._checkpid


def _ensure_healthy(connection):
    # A server restart, CLIENT KILL or idle timeout closes sockets that sit
    # in the pool; finding out here, before the command is sent, makes the
    # command go to a fresh connection instead of failing. Only for this
    # package's connection classes: 2.10.6's pools touched nothing of the
    # connection here, and a class of the user's own may have no socket.
    # A health_check_interval PING, when one is due, comes after the poll
    # (a closed socket needs no PING) and before the command is sent.
    try:
        healthy = connection.is_idle_and_healthy() and (
            not connection.health_check_interval or
            connection.check_health())
    except Exception:
        healthy = False
    if not healthy:
        connection.disconnect()


class BlockingConnectionPool(ConnectionPool):
    """A pool of at most ``max_connections`` (50) connections where a caller
    who finds all of them in use waits up to ``timeout`` seconds (None:
    forever) for one to come back, then gets ConnectionError.

    ``queue_class`` holds the idle connections (LIFO: the warmest first).

    >>> client = StrictRedis(connection_pool=BlockingConnectionPool())
    """

    def __init__(self, max_connections: int = 50,
                 timeout: Optional[float] = 20,
                 connection_class: Type[Connection] = Connection,
                 queue_class: Type[Queue[Any]] = LifoQueue,
                 **connection_kwargs: Any) -> None:
        self.queue_class = queue_class
        self.timeout = timeout
        super(BlockingConnectionPool, self).__init__(
            connection_class=connection_class,
            max_connections=max_connections,
            **connection_kwargs)

    def reset(self) -> None:
        self.pid = current_pid()
        self._check_lock = threading.Lock()
        self._new_lock()
        # Placeholders (None) stand for connections not yet made, so the
        # queue alone bounds how many exist; it has a lock of its own,
        # which waiting for a connection holds only between waits.
        self.pool = self.queue_class(self.max_connections)
        while True:
            try:
                self.pool.put_nowait(None)
            except Full:
                break
        self._connections = []
        # handed out and not yet released: releasing one twice must not
        # queue it twice (two callers would then share one socket)
        self._in_use = set()

    def make_connection(self) -> Connection:
        "Make a fresh connection."
        connection = self.connection_class(**self._connection_arguments())
        with self._lock_here():
            self._connections.append(connection)
        return connection

    def get_connection(self, command_name: str, *keys: Any,
                       **options: Any) -> Connection:
        "Take a connection, waiting up to ``timeout`` for one to be free"
        pid = current_pid()
        if self.pid != pid or not self._own_checkpid:
            self._checkpid()
        try:
            connection = self.pool.get(block=True, timeout=self.timeout)
        except Empty:
            raise ConnectionError("No connection available.")
        if connection is None:
            try:
                connection = self.make_connection()
            except BaseException:
                self.pool.put_nowait(None)
                raise
        elif isinstance(connection, Connection):
            _ensure_healthy(connection)
        with self._lock if self._lock_pid == pid else self._lock_here():
            self._in_use.add(connection)
        return connection

    def release(self, connection: Connection) -> None:
        "Releases the connection back to the pool."
        pid = current_pid()
        if self.pid != pid or not self._own_checkpid:
            self._checkpid()
        if connection.pid != self.pid:
            return
        # Queued under the lock too: two threads releasing one connection
        # must not both find it neither in use nor queued.
        with self._lock if self._lock_pid == pid else self._lock_here():
            try:
                self._in_use.remove(connection)
            except KeyError:
                # Released twice (it waits in the queue already: queueing
                # it again would let two callers share one socket), or
                # handed out by a subclass's own get_connection(): queued,
                # as 2.10.6 did.
                if self._queued(connection):
                    return
            try:
                self.pool.put_nowait(connection)
            except Full:
                pass

    def _queued(self, connection):
        queue = getattr(self.pool, 'queue', ())
        mutex = getattr(self.pool, 'mutex', None)
        if mutex is None:
            return connection in queue
        # (a deque changed by another thread while it is searched raises)
        with mutex:
            return connection in queue

    def disconnect(self) -> None:
        "Disconnects all connections in the pool."
        with self._lock_here():
            connections = list(self._connections)
        for connection in connections:
            connection.disconnect()

    def disconnect_idle(
            self, predicate: Optional[Callable[[Connection], Any]] = None,
    ) -> int:
        """ConnectionPool.disconnect_idle() for the connections waiting in
        the queue."""
        chosen = []
        with self._lock_here():
            waiting = []
            while True:
                try:
                    waiting.append(self.pool.get_nowait())
                except Empty:
                    break
            for connection in reversed(waiting):
                if connection is not None and (
                        predicate is None or predicate(connection)):
                    chosen.append(connection)
                else:
                    self.pool.put_nowait(connection)
        for connection in chosen:
            connection.disconnect()
        for connection in chosen:
            self.pool.put_nowait(connection)
        return len(chosen)
