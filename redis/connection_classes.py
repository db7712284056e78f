"""The connection classes: TCP, unix socket and TLS (redis.connection
re-exports them under their 2.10.6 names).

Replies are read by a parser (redis.parsers). Any exception while sending
or reading disconnects, so a half-read reply is never handed to the next
command.
"""
from __future__ import annotations

import operator
import select
import socket
from time import monotonic as _monotonic
from typing import (
    Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Type,
    Union,
)

from redis.exceptions import (
    AuthenticationError, ConnectionError, RedisError, ResponseError,
    TimeoutError,
)
from redis.forksafe import current_pid
from redis.parsers import BaseParser, DefaultParser
from redis.resp import Encoder, pack_command, pack_commands
from redis.tls import TLSOptions, io_failure as tls_io_failure
from redis.typing import Number, SSLPasswordT
from redis.utils import HIREDIS_AVAILABLE, nativestr

try:
    import ssl
    ssl_available = True
    _SSL_SOCKET = ssl.SSLSocket
except ImportError:  # pragma: no cover (Python built without OpenSSL)
    ssl_available = False
    _SSL_SOCKET = ()


class _Version(tuple):
    """A dotted version as a tuple of ints that also compares with a
    version string and with distutils' StrictVersion (2.10.6's type for
    hiredis_version, gone from Python 3.12)."""

    def __new__(cls, text):
        parts = []
        for part in str(text).split('.'):
            digits = ''.join(c for c in part if c.isdigit())
            parts.append(int(digits or 0))
        version = tuple.__new__(cls, (parts + [0, 0, 0])[:max(3, len(parts))])
        version.text = str(text)
        return version

    def __repr__(self):
        return 'Version(%r)' % self.text

    def __str__(self):
        return self.text

    @property
    def version(self):
        return tuple(self)


def _version_comparison(compare):
    def method(self, other):
        if isinstance(other, str):
            other = _Version(other)
        other = getattr(other, 'version', other)
        if not isinstance(other, tuple):
            return NotImplemented
        return compare(tuple(self), tuple(other))
    return method


for _name in ('eq', 'ne', 'lt', 'le', 'gt', 'ge'):
    setattr(_Version, '__%s__' % _name,
            _version_comparison(getattr(operator, _name)))
del _name


if HIREDIS_AVAILABLE:
    # 2.10.6's flags (defined only when hiredis is installed); every hiredis
    # that runs on Python 3 takes both callable errors and byte buffers.
    import hiredis
    hiredis_version = _Version(hiredis.__version__)
    HIREDIS_SUPPORTS_CALLABLE_ERRORS = hiredis_version >= '0.1.3'
    HIREDIS_SUPPORTS_BYTE_BUFFER = hiredis_version >= '0.1.4'
    HIREDIS_USE_BYTE_BUFFER = HIREDIS_SUPPORTS_BYTE_BUFFER

SYM_STAR = b'*'
SYM_DOLLAR = b'$'
SYM_CRLF = b'\r\n'
SYM_EMPTY = b''

_POLL = getattr(select, 'poll', None)
_POLL_EVENTS = (getattr(select, 'POLLIN', 0) | getattr(select, 'POLLPRI', 0)
                | getattr(select, 'POLLERR', 0) | getattr(select, 'POLLHUP', 0))


def _poller_for(sock):
    poller = _POLL()
    poller.register(sock, _POLL_EVENTS)
    return poller


def _poll(poller, timeout):
    if timeout is not None and timeout < 0:
        # poll() would wait for ever where select() refused
        raise ValueError('timeout must be non-negative')
    return bool(poller.poll(None if timeout is None else timeout * 1000.0))


def is_socket_readable(sock, timeout):
    """Whether ``sock`` has bytes (or end of file) to read within
    ``timeout`` seconds (None: no limit). poll(), unlike select(), takes
    any descriptor number (select() raises ValueError past 1023)."""
    if _tls_pending(sock):
        # decrypted by OpenSSL already: nothing left on the socket for it
        return True
    if _POLL is None:
        return bool(select.select([sock], [], [], timeout)[0])
    return _poll(_poller_for(sock), timeout)


class Connection(object):
    "Manages TCP communication to and from a Redis server"
    description_format = "Connection<host=%(host)s,port=%(port)s,db=%(db)s>"
    # True (set by __init__) while pack_command and send_packed_command are
    # Connection's own: send_command then packs without calling them.
    _packs_itself = False
    # Read by this package beyond what 2.10.6 read: a subclass that sets up
    # its own attributes without calling __init__ (fakeredis does) still
    # has them.
    socket_timeout = None
    _poll_sock = None
    _poller = None
    username = None
    client_name = None
    health_check_interval = 0
    _next_health_check = 0

    def __init__(
            self, host: str = 'localhost', port: int = 6379, db: int = 0,
            password: Optional[str] = None,
            socket_timeout: Optional[float] = None,
            socket_connect_timeout: Optional[float] = None,
            socket_keepalive: bool = False,
            socket_keepalive_options: Optional[
                Mapping[int, Union[int, bytes]]] = None,
            retry_on_timeout: bool = False, encoding: str = 'utf-8',
            encoding_errors: str = 'strict', decode_responses: bool = False,
            parser_class: Type[BaseParser] = DefaultParser,
            socket_read_size: int = 65536, username: Optional[str] = None,
            client_name: Optional[str] = None,
            health_check_interval: Number = 0,
    ) -> None:
        self.host = host
        self.port = int(port)
        self.socket_connect_timeout = socket_connect_timeout or socket_timeout
        self.socket_keepalive = socket_keepalive
        self.socket_keepalive_options = socket_keepalive_options or {}
        self._set_up(db, password, socket_timeout, retry_on_timeout,
                     Encoder(encoding, encoding_errors, decode_responses),
                     parser_class(socket_read_size=socket_read_size),
                     {'host': self.host, 'port': self.port, 'db': db})
        self._set_up_session(username, client_name, health_check_interval)

    def _set_up(self, db, password, socket_timeout, retry_on_timeout,
                encoder, parser, description_args):
        # what every connection class has, whatever its address is
        self.pid = current_pid()
        self.db = db
        self.password = password
        self.socket_timeout = socket_timeout
        self.retry_on_timeout = retry_on_timeout
        self.encoder = encoder
        self._sock = None
        self._poll_sock = self._poller = None
        self._packs_itself = _packs_itself(type(self))
        self._parser = parser
        self._description_args = description_args
        self._connect_callbacks = []

    def _set_up_session(self, username, client_name, health_check_interval):
        # what on_connect() sends beyond AUTH and SELECT, and how long an
        # idle connection goes unchecked
        self.username = username
        self.client_name = client_name
        self.health_check_interval = health_check_interval or 0
        self._next_health_check = 0

    def __repr__(self) -> str:
        return self.description_format % self._description_args

    def __del__(self) -> None:
        try:
            self.disconnect()
        except Exception:
            pass

    @property
    def description_args(self) -> Dict[str, Any]:
        return self._description_args

    @property
    def is_connected(self) -> bool:
        "Whether a socket is open (it may still have been closed remotely)"
        return self._sock is not None

    def register_connect_callback(
            self, callback: Callable[[Connection], Any],
    ) -> None:
        self._connect_callbacks.append(callback)

    def clear_connect_callbacks(self) -> None:
        self._connect_callbacks = []

    def connect(self) -> None:
        "Connects to the Redis server if not already connected"
        if self._sock:
            return
        try:
            sock = self._connect()
        except socket.timeout:
            raise TimeoutError("Timeout connecting to server")
        except OSError as e:
            raise ConnectionError(self._error_message(e))
        self._sock = sock
        try:
            self.on_connect()
        except BaseException as e:
            self._raise_if_closed_meanwhile(e)
            # a failed AUTH/SELECT must not leave a half-set-up socket behind
            self.disconnect()
            raise
        if self.health_check_interval:
            self._next_health_check = _monotonic() + \
                self.health_check_interval
        for callback in self._connect_callbacks:
            callback(self)

    def _connect(self):
        "Create a TCP socket connection"
        err = None
        for res in socket.getaddrinfo(self.host, self.port, 0,
                                      socket.SOCK_STREAM):
            family, socktype, proto, canonname, socket_address = res
            sock = None
            try:
                sock = socket.socket(family, socktype, proto)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if self.socket_keepalive:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
                    for k, v in self.socket_keepalive_options.items():
                        sock.setsockopt(socket.IPPROTO_TCP, k, v)
                sock.settimeout(self.socket_connect_timeout)
                sock.connect(socket_address)
                sock.settimeout(self.socket_timeout)
                return sock
            except OSError as e:
                err = e
                if sock is not None:
                    sock.close()
        if err is not None:
            raise err
        raise OSError("socket.getaddrinfo returned an empty list")

    def _address(self):
        return '%s:%s' % (self.host, self.port)

    def _error_message(self, exception):
        # an OSError's args are (errno, message), or only a message
        if len(exception.args) == 1:
            return "Error connecting to %s. %s." % (
                self._address(), exception.args[0])
        return "Error %s connecting to %s. %s." % (
            exception.args[0], self._address(), exception.args[1])

    def on_connect(self) -> None:
        """Initialize the connection: authenticate (as ``username`` when
        given), name it ``client_name`` and select the database"""
        self._parser.on_connect(self)
        # One command and its reply at a time, through send_command and
        # read_response, as 2.10.6 did: subclasses see these calls. An
        # error reply raises its own class (a wrong password:
        # AuthenticationReplyError, also the ResponseError 2.10.6 raised).
        if self.username is not None:
            self._auth_as_user()
        elif self.password:
            self._auth(self.password)
        if self.client_name is not None:
            self.send_command('CLIENT', 'SETNAME', self.client_name)
            if nativestr(self.read_response()) != 'OK':
                raise ConnectionError('Error setting the client name')
        if self.db:
            self.send_command('SELECT', self.db)
            if nativestr(self.read_response()) != 'OK':
                raise ConnectionError('Invalid Database')

    def _auth(self, *args):
        self.send_command('AUTH', *args)
        if nativestr(self.read_response()) != 'OK':
            raise AuthenticationError('Invalid Password')

    def _auth_as_user(self):
        password = self.password if self.password is not None else ''
        try:
            self._auth(self.username, password)
        except ResponseError as e:
            # A server older than 6.0 knows AUTH <password> only (and no
            # users but the default one), as today's redis-py assumes; a
            # user name from a URL written for 2.10.6 (which ignored it)
            # may be one the server never had.
            if not password or not (
                    'wrong number of arguments' in str(e) or
                    (isinstance(self.username, URLUsername) and
                     isinstance(e, AuthenticationError))):
                raise
            self._auth(password)

    def check_health(self) -> bool:
        """PING when idle longer than ``health_check_interval`` (the pool
        asks before handing the connection out); False, and disconnected,
        when that fails."""
        interval = self.health_check_interval
        if not interval or self._sock is None or \
                _monotonic() < self._next_health_check:
            return True
        try:
            self.send_command('PING')
            healthy = nativestr(self.read_response()) == 'PONG'
        except (RedisError, OSError, ValueError):
            healthy = False
        if not healthy:
            self.disconnect()
        return healthy

    def disconnect(self) -> None:
        "Disconnects from the Redis server"
        self._parser.on_disconnect()
        sock = self._sock
        if sock is None:
            return
        self._sock = None
        self._poll_sock = self._poller = None
        try:
            # shutdown() would also end the parent's (or child's) copy of a
            # socket inherited across fork(); close() only drops ours.
            if current_pid() == self.pid:
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            sock.close()
        except OSError:
            pass

    def send_packed_command(self,
                            command: Union[bytes, Iterable[bytes]]) -> None:
        "Send an already packed command to the Redis server"
        if not self._sock:
            self.connect()
        try:
            if command.__class__ is bytes:
                self._sock.sendall(command)
            else:
                sendall = self._sock.sendall
                for item in command:
                    sendall(item)
        except socket.timeout:
            self.disconnect()
            raise TimeoutError("Timeout writing to socket")
        except OSError as e:
            message = self._write_error_message(e)
            self.disconnect()
            raise ConnectionError(message)
        except BaseException as e:
            self._raise_if_closed_meanwhile(e)
            self.disconnect()
            raise

    def _raise_if_closed_meanwhile(self, error):
        # pool.disconnect() in another thread closed this connection while
        # it was in use: the socket vanished under our feet, which shows as
        # an AttributeError or TypeError on None. Say what happened.
        if self._sock is None and isinstance(error, (AttributeError,
                                                     TypeError)):
            self.disconnect()  # (the parser may have half set itself up)
            raise ConnectionError('Connection closed while in use (by '
                                  'another thread: %s)' % (error,)) from error

    def send_command(self, *args: Any) -> None:
        "Pack and send a command to the Redis server"
        if self._packs_itself:
            self.send_packed_command(pack_command(self.encoder, args))
        else:
            # a subclass's pack_command or send_packed_command sees the
            # calls 2.10.6 made, and a list of buffers
            self.send_packed_command(self.pack_command(*args))

    def _readable(self, sock, timeout):
        # is_socket_readable() with one poller per socket, reused
        if _POLL is None:
            return is_socket_readable(sock, timeout)
        if self._poll_sock is not sock:
            self._poller = _poller_for(sock)
            self._poll_sock = sock
        return _poll(self._poller, timeout)

    def can_read(self, timeout: Optional[float] = 0) -> bool:
        "Poll the socket to see if there's data that can be read."
        sock = self._sock
        if not sock:
            self.connect()
            sock = self._sock
        return self._parser.can_read() or self._readable(sock, timeout)

    def is_idle_and_healthy(self) -> bool:
        """Cheap check made when the pool hands out a connected connection:
        False when the server closed it or when bytes wait unread (a reply
        nobody read would be taken for the next command's). True when it
        is not connected: connecting makes it healthy."""
        if self._sock is None:
            return True
        try:
            if self._parser.has_buffered_data():
                return False
        except AttributeError:
            pass  # a parser class of the user's own, without the method
        sock, poller = self._sock, self._poller
        if poller is not None and self._poll_sock is sock:
            return not poller.poll(0)
        if not isinstance(sock, socket.socket):
            # a socket-like object from a subclass's _connect() (a test
            # double, a wrapper): its descriptor, if any, says nothing
            return True
        return not self._readable(sock, 0)

    def read_response(self) -> Any:
        "Read the response from a previously sent command"
        try:
            response = self._parser.read_response()
        except socket.timeout:
            self.disconnect()
            raise TimeoutError("Timeout reading from socket")
        except OSError as e:
            self.disconnect()
            raise ConnectionError(self._read_error_message(e))
        except BaseException as e:
            self._raise_if_closed_meanwhile(e)
            self.disconnect()
            raise
        if self.health_check_interval:
            self._next_health_check = _monotonic() + \
                self.health_check_interval
        # Error replies come back as values (the readers' contract). One
        # mapped to a ConnectionError ('max number of clients reached',
        # LOADING) ends the connection, as 2.10.6's parsers raised those.
        if isinstance(response, RedisError):
            if isinstance(response, ConnectionError):
                self.disconnect()
            raise response
        return response

    def _read_error_message(self, error):
        return "Error while reading from socket: %s" % (error.args,)

    def _write_error_message(self, error):
        # (called while the socket is still open)
        if len(error.args) == 1:
            errno, errmsg = 'UNKNOWN', error.args[0]
        else:
            errno, errmsg = error.args[0], error.args[1]
        return "Error %s while writing to socket. %s." % (errno, errmsg)

    def encode(self, value: Any) -> bytes:
        "Return a bytestring representation of the value"
        return self.encoder.encode(value)

    def pack_command(self, *args: Any) -> Union[bytes, List[bytes]]:
        "Pack a series of arguments into the Redis protocol"
        packed = pack_command(self.encoder, args)
        # a list of buffers, as 2.10.6 returned
        return [packed] if packed.__class__ is bytes else packed

    def pack_commands(self, commands: Iterable[Sequence[Any]]) -> List[bytes]:
        "Pack multiple commands into the Redis protocol"
        if type(self).pack_command is _PACK_COMMAND:
            return pack_commands(self.encoder, commands)
        # each command through the subclass's pack_command, as in 2.10.6
        return [b''.join(chunk for args in commands
                         for chunk in self.pack_command(*args))]


_PACK_COMMAND = Connection.pack_command


def _packs_itself(cls):
    return (cls.pack_command is _PACK_COMMAND and
            cls.send_packed_command is Connection.send_packed_command)


class SSLConnection(Connection):
    """TCP with TLS. The server's certificate is verified, host name
    included, unless ``ssl_cert_reqs='none'`` (or None) or
    ``ssl_check_hostname=False`` say otherwise; see redis.tls for every
    option. The handshake is bounded by ``socket_connect_timeout``."""
    description_format = "SSLConnection<host=%(host)s,port=%(port)s,db=%(db)s>"

    def __init__(self, ssl_keyfile: Optional[str] = None,
                 ssl_certfile: Optional[str] = None,
                 ssl_cert_reqs: Union[str, int, None] = 'required',
                 ssl_ca_certs: Optional[str] = None,
                 ssl_ca_path: Optional[str] = None,
                 ssl_ca_data: Optional[Union[str, bytes]] = None,
                 ssl_check_hostname: bool = True,
                 ssl_password: Optional[SSLPasswordT] = None,
                 ssl_min_version: Optional[Union[str, int]] = None,
                 ssl_ciphers: Optional[str] = None, **kwargs: Any) -> None:
        if not ssl_available:
            raise RedisError("Python wasn't built with SSL support")
        self.tls = TLSOptions(
            keyfile=ssl_keyfile, certfile=ssl_certfile,
            cert_reqs=ssl_cert_reqs, ca_certs=ssl_ca_certs,
            ca_path=ssl_ca_path, ca_data=ssl_ca_data,
            check_hostname=ssl_check_hostname, password=ssl_password,
            min_version=ssl_min_version, ciphers=ssl_ciphers)
        super(SSLConnection, self).__init__(**kwargs)
        # 2.10.6's attribute names
        self.keyfile = ssl_keyfile
        self.certfile = ssl_certfile
        self.cert_reqs = self.tls.cert_reqs
        self.ca_certs = ssl_ca_certs
        self.check_hostname = self.tls.check_hostname

    def _connect(self):
        "Wrap the socket with SSL support"
        sock = super(SSLConnection, self)._connect()
        try:
            # the handshake is part of connecting
            sock.settimeout(self.socket_connect_timeout)
            sock = self.tls.wrap(sock, self.host, self._address())
            sock.settimeout(self.socket_timeout)
            return sock
        except BaseException:
            sock.close()
            raise

    def _read_error_message(self, error):
        return tls_io_failure(error, 'reading from', self._address()) or \
            super(SSLConnection, self)._read_error_message(error)

    def _write_error_message(self, error):
        return tls_io_failure(error, 'writing to', self._address(),
                              self._sock, self.socket_timeout) or \
            super(SSLConnection, self)._write_error_message(error)

    def _readable(self, sock, timeout):
        # bytes OpenSSL has decrypted already are not on the socket
        return _tls_pending(sock) or \
            super(SSLConnection, self)._readable(sock, timeout)

    def is_idle_and_healthy(self) -> bool:
        if self._sock is not None and _tls_pending(self._sock):
            return False
        return super(SSLConnection, self).is_idle_and_healthy()


def _tls_pending(sock):
    if not isinstance(sock, _SSL_SOCKET):
        return False
    try:
        return sock.pending() > 0
    except (OSError, ValueError):
        return False


class UnixDomainSocketConnection(Connection):
    description_format = "UnixDomainSocketConnection<path=%(path)s,db=%(db)s>"

    def __init__(self, path: str = '', db: int = 0,
                 password: Optional[str] = None,
                 socket_timeout: Optional[float] = None,
                 encoding: str = 'utf-8', encoding_errors: str = 'strict',
                 decode_responses: bool = False,
                 retry_on_timeout: bool = False,
                 parser_class: Type[BaseParser] = DefaultParser,
                 socket_read_size: int = 65536, username: Optional[str] = None,
                 client_name: Optional[str] = None,
                 health_check_interval: Number = 0) -> None:
        # 2.10.6's arguments, in its order (positional calls keep working)
        self.path = path
        self._set_up(db, password, socket_timeout, retry_on_timeout,
                     Encoder(encoding, encoding_errors, decode_responses),
                     parser_class(socket_read_size=socket_read_size),
                     {'path': path, 'db': db})
        self._set_up_session(username, client_name, health_check_interval)

    def _connect(self):
        "Create a Unix domain socket connection"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.socket_timeout)
            sock.connect(self.path)
        except BaseException:
            sock.close()
            raise
        return sock

    def _address(self):
        return 'unix socket: %s' % (self.path,)


_MISSING = object()


class URLUsername(str):
    """A user name read from a URL: when the server refuses it, the
    connection authenticates with the password alone, as 2.10.6 (which
    ignored the user name of a URL) did."""
    __slots__ = ()


def accepts_argument(connection_class, name):
    "Whether ``connection_class(...)`` takes the keyword argument ``name``"
    import inspect  # (only here: importing it costs every process ~9 ms)
    try:
        parameters = inspect.signature(connection_class).parameters
    except (TypeError, ValueError):
        return True
    return name in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())


def connection_is_open(connection, unknown=False):
    """Whether ``connection`` has an open socket (the server may still have
    closed it): its ``is_connected`` for this package's classes, 2.10.6's
    ``_sock`` for a class of the user's own, else ``unknown``."""
    if isinstance(connection, Connection):
        return connection.is_connected
    sock = getattr(connection, '_sock', _MISSING)
    return unknown if sock is _MISSING else sock is not None


__all__ = [
    'Connection', 'SSLConnection', 'UnixDomainSocketConnection',
    'URLUsername', 'accepts_argument', 'connection_is_open',
    'is_socket_readable',
]
