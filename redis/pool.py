"""Connection pools: the blocking-free default and the blocking one.

A pool changes its own state under no lock on the hot path (list pop and
append, set add and remove are atomic in CPython) and never holds a lock
during I/O. After fork() a child drops the connections it inherited without
touching their sockets, which still belong to the parent.
"""
import os
import threading
import warnings
from itertools import chain
from queue import Empty, Full, LifoQueue
from urllib.parse import parse_qs, unquote, urlparse

# redis.connection imports this module at its end, after defining its
# classes, and every import of redis.pool goes through redis/__init__ and
# so through redis.connection first.
from redis.connection import (
    Connection, SSLConnection, UnixDomainSocketConnection,
)
from redis.exceptions import ConnectionError
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
    # BlockingConnectionPool's wait (as today's redis-py reads it)
    'timeout': float,
}

# Updated in the child after fork() so the hot path compares two ints
# instead of calling os.getpid() on every checkout.
_pid = [os.getpid()]


def _after_fork_in_child():
    _pid[0] = os.getpid()


if hasattr(os, 'register_at_fork'):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _current_pid():
    if hasattr(os, 'register_at_fork'):
        return _pid[0]
    return os.getpid()


def parse_url(url, db=None, decode_components=False):
    """The connection keyword arguments a redis://, rediss:// or unix://
    URL stands for."""
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
        password = unquote(url.password) if url.password else None
        path = unquote(url.path) if url.path else None
        hostname = unquote(url.hostname) if url.hostname else None
    else:
        password = url.password
        path = url.path
        hostname = url.hostname

    if url.scheme == 'unix':
        url_options.update({
            'password': password,
            'path': path,
            'connection_class': UnixDomainSocketConnection,
        })
    else:
        url_options.update({
            'host': hostname,
            'port': int(url.port or 6379),
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


class ConnectionPool(object):
    "Generic connection pool"
    _own_checkpid = False  # (see __init__)

    @classmethod
    def from_url(cls, url, db=None, decode_components=False, **kwargs):
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

    def __init__(self, connection_class=Connection, max_connections=None,
                 **connection_kwargs):
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

    def __repr__(self):
        return "%s<%s>" % (type(self).__name__, self._describe_connection())

    def _describe_connection(self):
        args = {'host': 'localhost', 'port': 6379, 'db': 0, 'path': ''}
        args.update(self.connection_kwargs)
        try:
            return self.connection_class.description_format % args
        except (AttributeError, KeyError, TypeError, ValueError):
            return self.connection_class.__name__

    def reset(self):
        self.pid = _current_pid()
        self._created_connections = 0
        self._available_connections = []
        self._in_use_connections = set()
        # Only a forked child ever takes _check_lock, so no thread of the
        # parent can hold it at fork() and leave the child waiting on it for
        # ever; counting connections takes a lock of its own.
        self._check_lock = threading.Lock()
        self._count_lock = threading.Lock()

    def _checkpid(self):
        if self.pid != _current_pid():
            with self._check_lock:
                if self.pid == _current_pid():
                    # another thread already did the reset
                    return
                # Forget the parent's connections without closing them:
                # their sockets are the parent's too.
                self.reset()

    def get_connection(self, command_name, *keys, **options):
        "Get a connection from the pool"
        if self.pid != _pid[0] or not self._own_checkpid:
            self._checkpid()
        try:
            connection = self._available_connections.pop()
        except IndexError:
            connection = self.make_connection()
        self._in_use_connections.add(connection)
        if isinstance(connection, Connection):
            _ensure_healthy(connection)
        return connection

    def get_encoder(self):
        "Return an encoder based on encoding settings"
        kwargs = self.connection_kwargs
        return Encoder(
            encoding=kwargs.get('encoding', 'utf-8'),
            encoding_errors=kwargs.get('encoding_errors', 'strict'),
            decode_responses=kwargs.get('decode_responses', False)
        )

    def make_connection(self):
        "Create a new connection"
        with self._count_lock:
            if self._created_connections >= self.max_connections:
                raise ConnectionError("Too many connections")
            self._created_connections += 1
        try:
            return self.connection_class(**self.connection_kwargs)
        except BaseException:
            with self._count_lock:
                self._created_connections -= 1
            raise

    def release(self, connection):
        "Releases the connection back to the pool"
        if self.pid != _pid[0] or not self._own_checkpid:
            self._checkpid()
        if connection.pid != self.pid:
            return
        try:
            self._in_use_connections.remove(connection)
        except KeyError:
            # released twice, or not ours: adding it again would let two
            # callers share one socket
            return
        self._available_connections.append(connection)

    def disconnect(self):
        "Disconnects all connections in the pool"
        all_conns = chain(list(self._available_connections),
                          list(self._in_use_connections))
        for connection in all_conns:
            connection.disconnect()


_CHECKPID = ConnectionPool._checkpid


def _ensure_healthy(connection):
    # A server restart, CLIENT KILL or idle timeout closes sockets that sit
    # in the pool; finding out here, before the command is sent, makes the
    # command go to a fresh connection instead of failing. Only for this
    # package's connection classes: 2.10.6's pools touched nothing of the
    # connection here, and a class of the user's own may have no socket.
    if connection._sock is None:
        return
    try:
        healthy = connection.is_idle_and_healthy()
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

    def __init__(self, max_connections=50, timeout=20,
                 connection_class=Connection, queue_class=LifoQueue,
                 **connection_kwargs):
        self.queue_class = queue_class
        self.timeout = timeout
        super(BlockingConnectionPool, self).__init__(
            connection_class=connection_class,
            max_connections=max_connections,
            **connection_kwargs)

    def reset(self):
        self.pid = _current_pid()
        self._check_lock = threading.Lock()
        # Placeholders (None) stand for connections not yet made, so the
        # queue alone bounds how many exist.
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

    def make_connection(self):
        "Make a fresh connection."
        connection = self.connection_class(**self.connection_kwargs)
        self._connections.append(connection)
        return connection

    def get_connection(self, command_name, *keys, **options):
        "Take a connection, waiting up to ``timeout`` for one to be free"
        if self.pid != _pid[0] or not self._own_checkpid:
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
        self._in_use.add(connection)
        return connection

    def release(self, connection):
        "Releases the connection back to the pool."
        if self.pid != _pid[0] or not self._own_checkpid:
            self._checkpid()
        if connection.pid != self.pid:
            return
        try:
            self._in_use.remove(connection)
        except KeyError:
            # Released twice (it waits in the queue already: queueing it
            # again would let two callers share one socket), or handed out
            # by a subclass's own get_connection(): queued, as 2.10.6 did.
            if connection in getattr(self.pool, 'queue', ()):
                return
        try:
            self.pool.put_nowait(connection)
        except Full:
            pass

    def disconnect(self):
        "Disconnects all connections in the pool."
        for connection in list(self._connections):
            connection.disconnect()
