"""Connections to a Redis server: TCP, unix socket and TLS, and their parsers.

The parsers differ only in the RESP reader they build (pure Python or
hiredis); one socket loop serves both. Any exception while sending or
reading disconnects, so a half-read reply is never handed to the next
command.
"""
import os
import select
import socket
import sys

from redis.exceptions import (  # noqa: F401 (2.10.6 exported them here)
    AuthenticationError, BusyLoadingError, ConnectionError, DataError,
    EXCEPTION_CLASSES, ExecAbortError, InvalidResponse, NoScriptError,
    ReadOnlyError, RedisError, ResponseError, TimeoutError, error_from_reply,
)
from redis.resp import (  # noqa: F401 (re-exported: 2.10.6 names)
    BIG_BULK, MAX_BULK_LENGTH, Encoder, Token, Reader as PythonReader, pack_command as _pack_command,
    pack_commands as _pack_commands,
)
from redis.utils import HIREDIS_AVAILABLE, nativestr

try:
    import ssl
    ssl_available = True
except ImportError:  # pragma: no cover (Python built without OpenSSL)
    ssl_available = False

if HIREDIS_AVAILABLE:
    import hiredis

SYM_STAR = b'*'
SYM_DOLLAR = b'$'
SYM_CRLF = b'\r\n'
SYM_EMPTY = b''

SERVER_CLOSED_CONNECTION_ERROR = "Connection closed by server."

_POLL = getattr(select, 'poll', None)
_POLL_EVENTS = (getattr(select, 'POLLIN', 0) | getattr(select, 'POLLPRI', 0)
                | getattr(select, 'POLLERR', 0) | getattr(select, 'POLLHUP', 0))


def check_reply_header(data):
    """Raise InvalidResponse when ``data`` starts with a bulk or array
    header whose length no server sends (hiredis would wait for it)."""
    if data[:1] in (b'$', b'*'):
        end = data.find(b'\r\n', 1, 24)
        if end > 0:
            try:
                length = int(data[1:end])
            except ValueError:
                return
            if length > MAX_BULK_LENGTH:
                raise InvalidResponse(
                    'Protocol error: length %d out of range' % length)


class BaseParser(object):
    "Plain implementation and methods common to both parsers"
    EXCEPTION_CLASSES = EXCEPTION_CLASSES

    def __repr__(self):
        return '%s<>' % type(self).__name__

    def parse_error(self, response):
        "Parse an error response"
        return error_from_reply(response)


class SocketParser(BaseParser):
    """Reads replies off the connection's socket through a RESP reader.

    Subclasses choose the reader (``make_reader``) and how it takes bytes.
    """
    # True for a reader that copies what it is fed (hiredis): reads then go
    # into one reusable buffer, and a big bulk reply bypasses the reader
    # (see _read_big_bulk). False for one that keeps the bytes objects it is
    # fed (the pure-Python reader): each read makes a fresh one.
    reads_into_buffer = False

    def __init__(self, socket_read_size=65536):
        self.socket_read_size = socket_read_size
        self._sock = None
        self._reader = None
        self._recv = None
        self._next_response = False
        self._buffer = None
        self._recv_into = None
        self._has_data = None

    def __repr__(self):
        return '%s<reader=%r>' % (type(self).__name__, self._reader)

    def __del__(self):
        try:
            self.on_disconnect()
        except Exception:
            pass

    def make_reader(self, encoding, errors):
        raise NotImplementedError

    def on_connect(self, connection):
        "Called when the socket connects"
        self._sock = connection._sock
        self._recv = self._sock.recv
        encoder = self.encoder = connection.encoder
        if encoder.decode_responses:
            self._reader = self.make_reader(encoder.encoding,
                                            encoder.encoding_errors)
        else:
            self._reader = self.make_reader(None, None)
        self._next_response = False
        # (every reader here has it; a hiredis older than 2.0 may not)
        self._has_data = getattr(self._reader, 'has_data', None)
        if self.reads_into_buffer and self._has_data is not None:
            # one per connection while it is connected: a fresh 64 KiB
            # object per read churns the heap, and malloc trimming it costs
            # page faults on every big reply
            self._buffer = bytearray(self.socket_read_size)
            self._recv_into = self._sock.recv_into

    def on_disconnect(self):
        "Called when the socket disconnects"
        self._sock = None
        self._recv = None
        self._recv_into = None
        self._buffer = None
        self._reader = None
        self._has_data = None
        self._next_response = False

    def can_read(self):
        "True when a whole reply is already buffered"
        if self._reader is None:
            raise ConnectionError(SERVER_CLOSED_CONNECTION_ERROR)
        if self._next_response is False:
            self._next_response = self._reader.gets()
        return self._next_response is not False

    def has_buffered_data(self):
        "True when any unparsed bytes or a parsed reply wait in the parser"
        reader = self._reader
        if reader is None:
            return False
        if self._next_response is not False:
            return True
        if self._has_data is not None:
            return self._has_data()
        return self.can_read()

    def read_response(self):
        reader = self._reader
        if reader is None:
            raise ConnectionError(SERVER_CLOSED_CONNECTION_ERROR)
        response = self._next_response
        if response is not False:
            self._next_response = False
            return response
        if self._recv_into is not None:
            # A reader with nothing buffered has no reply to give and is at
            # a reply boundary (one with bytes left may be inside an array
            # even once they are parsed).
            if reader.has_data():
                response = reader.gets()
                if response is not False:
                    return response
                return self._read_into_buffer(reader, False)
            return self._read_into_buffer(reader, True)
        response = reader.gets()
        if response is False:
            recv = self._recv
            size = self.socket_read_size
            data = recv(size)
            if not data:
                raise ConnectionError(SERVER_CLOSED_CONNECTION_ERROR)
            reader.feed(data)
            response = reader.gets()
            if response is False:
                # A reply spread over several reads: make sure its header is
                # not an absurd length we would wait for forever.
                check_reply_header(data)
                while response is False:
                    data = recv(size)
                    if not data:
                        raise ConnectionError(SERVER_CLOSED_CONNECTION_ERROR)
                    reader.feed(data)
                    response = reader.gets()
        return response

    def _read_into_buffer(self, reader, at_boundary):
        buf = self._buffer
        recv_into = self._recv_into
        n = recv_into(buf)
        if not n:
            raise ConnectionError(SERVER_CLOSED_CONNECTION_ERROR)
        # a bulk string whose length has 6 digits or more (BIG_BULK has 6)
        if at_boundary and buf[0] == 36 and buf.find(13, 1, min(n, 7)) < 0:
            response = self._read_big_bulk(bytes(memoryview(buf)[:n]))
            if response is not False:
                return response
        reader.feed(buf, 0, n)
        response = reader.gets()
        if response is False:
            check_reply_header(buf[:min(n, 24)])
            while response is False:
                n = recv_into(buf)
                if not n:
                    raise ConnectionError(SERVER_CLOSED_CONNECTION_ERROR)
                reader.feed(buf, 0, n)
                response = reader.gets()
        return response

    def _read_big_bulk(self, data):
        """Read a big bulk string reply (GET of megabytes) straight off the
        socket into one buffer, or return False to let the reader parse.

        Taken only at a reply boundary with nothing buffered: the chunks are
        joined once into the value, where a C reader copies each into its
        own buffer first and then copies the value out of it.
        """
        end = data.find(b'\r\n', 1, 24)
        if end < 0:
            return False
        try:
            length = int(data[1:end])
        except ValueError:
            return False
        if length < BIG_BULK or length > MAX_BULK_LENGTH:
            return False
        start = end + 2
        total = start + length + 2
        chunks = [data[start:]]
        have = len(data)
        recv = self._recv
        while have < total:
            chunk = recv(self.socket_read_size)
            if not chunk:
                raise ConnectionError(SERVER_CLOSED_CONNECTION_ERROR)
            chunks.append(chunk)
            have += len(chunk)
        tail = chunks[-1]
        cut = len(tail) - (have - total)  # where this reply ends in tail
        leftover = tail[cut:]
        if len(chunks) == 1:
            crlf = data[total - 2:total]
            value = data[start:start + length]
            leftover = data[total:]
        else:
            if cut >= 2:
                crlf = tail[cut - 2:cut]
                chunks[-1] = tail[:cut - 2]
            else:  # the CR ended the previous chunk
                crlf = chunks[-2][-1:] + tail[:1]
                chunks[-2] = chunks[-2][:-1]
                chunks[-1] = b''
            value = b''.join(chunks)
        if crlf != b'\r\n':
            raise InvalidResponse(
                'Protocol error: bulk string not followed by CRLF')
        if leftover:
            self._reader.feed(leftover)
        encoder = self.encoder
        if encoder.decode_responses:
            value = value.decode(encoder.encoding, encoder.encoding_errors)
        return value


class PythonParser(SocketParser):
    "Parses replies with the pure-Python RESP reader"

    def make_reader(self, encoding, errors):
        return PythonReader(protocolError=InvalidResponse,
                            replyError=error_from_reply,
                            encoding=encoding, errors=errors)


class HiredisParser(SocketParser):
    "Parses replies with hiredis' C reader"
    reads_into_buffer = True

    def __init__(self, socket_read_size=65536):
        if not HIREDIS_AVAILABLE:
            raise RedisError("Hiredis is not installed")
        SocketParser.__init__(self, socket_read_size)

    def make_reader(self, encoding, errors):
        kwargs = {'protocolError': InvalidResponse,
                  'replyError': error_from_reply}
        if encoding is not None:
            kwargs['encoding'] = encoding
            kwargs['errors'] = errors
        reader = hiredis.Reader(**kwargs)
        # hiredis frees its buffer after every reply over 16 KiB; growing it
        # again for the next big reply page-faults (~20 faults per LRANGE of
        # 10,000) whenever malloc has trimmed the heap. Keeping up to four
        # reads' worth per connection costs little and makes that go away.
        reader.setmaxbuf(4 * self.socket_read_size)
        return reader


DefaultParser = HiredisParser if HIREDIS_AVAILABLE else PythonParser


class Connection(object):
    "Manages TCP communication to and from a Redis server"
    description_format = "Connection<host=%(host)s,port=%(port)s,db=%(db)s>"

    def __init__(self, host='localhost', port=6379, db=0, password=None,
                 socket_timeout=None, socket_connect_timeout=None,
                 socket_keepalive=False, socket_keepalive_options=None,
                 retry_on_timeout=False, encoding='utf-8',
                 encoding_errors='strict', decode_responses=False,
                 parser_class=DefaultParser, socket_read_size=65536):
        self.pid = os.getpid()
        self.host = host
        self.port = int(port)
        self.db = db
        self.password = password
        self.socket_timeout = socket_timeout
        self.socket_connect_timeout = socket_connect_timeout or socket_timeout
        self.socket_keepalive = socket_keepalive
        self.socket_keepalive_options = socket_keepalive_options or {}
        self.retry_on_timeout = retry_on_timeout
        self.encoder = Encoder(encoding, encoding_errors, decode_responses)
        self._sock = None
        self._poller = None
        self._parser = parser_class(socket_read_size=socket_read_size)
        self._description_args = {'host': self.host, 'port': self.port,
                                  'db': self.db}
        self._connect_callbacks = []

    def __repr__(self):
        return self.description_format % self._description_args

    def __del__(self):
        try:
            self.disconnect()
        except Exception:
            pass

    @property
    def description_args(self):
        return self._description_args

    def register_connect_callback(self, callback):
        self._connect_callbacks.append(callback)

    def clear_connect_callbacks(self):
        self._connect_callbacks = []

    def connect(self):
        "Connects to the Redis server if not already connected"
        if self._sock:
            return
        try:
            sock = self._connect()
        except socket.timeout:
            raise TimeoutError("Timeout connecting to server")
        except OSError:
            e = sys.exc_info()[1]
            raise ConnectionError(self._error_message(e))
        self._sock = sock
        try:
            self.on_connect()
        except BaseException:
            # a failed AUTH/SELECT must not leave a half-set-up socket behind
            self.disconnect()
            raise
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
            except OSError as _:
                err = _
                if sock is not None:
                    sock.close()
        if err is not None:
            raise err
        raise OSError("socket.getaddrinfo returned an empty list")

    def _error_message(self, exception):
        # args for socket.error can either be (errno, "message")
        # or just "message"
        if len(exception.args) == 1:
            return "Error connecting to %s:%s. %s." % (
                self.host, self.port, exception.args[0])
        return "Error %s connecting to %s:%s. %s." % (
            exception.args[0], self.host, self.port, exception.args[1])

    def on_connect(self):
        "Initialize the connection, authenticate and select a database"
        self._parser.on_connect(self)
        if _POLL is not None:
            self._poller = _POLL()
            self._poller.register(self._sock, _POLL_EVENTS)
        # AUTH and SELECT go out in one write: one round trip, not two.
        commands = []
        if self.password:
            commands.append(('AUTH', self.password))
        if self.db:
            commands.append(('SELECT', self.db))
        if not commands:
            return
        self.send_packed_command(self.pack_commands(commands))
        if self.password:
            try:
                reply = self.read_response()
            except AuthenticationError:
                raise
            except ResponseError as e:
                raise AuthenticationError(str(e))
            if nativestr(reply) != 'OK':
                raise AuthenticationError('Invalid Password')
        if self.db:
            if nativestr(self.read_response()) != 'OK':
                raise ConnectionError('Invalid Database')

    def disconnect(self):
        "Disconnects from the Redis server"
        self._parser.on_disconnect()
        sock = self._sock
        if sock is None:
            return
        self._sock = None
        self._poller = None
        try:
            # shutdown() would also end the parent's (or child's) copy of a
            # socket inherited across fork(); close() only drops ours.
            if os.getpid() == self.pid:
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            sock.close()
        except OSError:
            pass

    def send_packed_command(self, command):
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
        except OSError:
            e = sys.exc_info()[1]
            self.disconnect()
            if len(e.args) == 1:
                errno, errmsg = 'UNKNOWN', e.args[0]
            else:
                errno, errmsg = e.args[0], e.args[1]
            raise ConnectionError("Error %s while writing to socket. %s." %
                                  (errno, errmsg))
        except BaseException:
            self.disconnect()
            raise

    def send_command(self, *args):
        "Pack and send a command to the Redis server"
        self.send_packed_command(_pack_command(self.encoder, args))

    def can_read(self, timeout=0):
        "Poll the socket to see if there's data that can be read."
        sock = self._sock
        if not sock:
            self.connect()
            sock = self._sock
        return self._parser.can_read() or \
            bool(select.select([sock], [], [], timeout)[0])

    def is_idle_and_healthy(self):
        """Cheap check made when the pool hands out a connected connection:
        False when the server closed it or when bytes wait unread (a reply
        nobody read would be taken for the next command's)."""
        if self._parser.has_buffered_data():
            return False
        poller = self._poller
        if poller is not None:
            return not poller.poll(0)
        return not select.select([self._sock], [], [], 0)[0]

    def read_response(self):
        "Read the response from a previously sent command"
        try:
            response = self._parser.read_response()
        except socket.timeout:
            self.disconnect()
            raise TimeoutError("Timeout reading from socket")
        except OSError:
            e = sys.exc_info()[1]
            self.disconnect()
            raise ConnectionError("Error while reading from socket: %s" %
                                  (e.args,))
        except BaseException:
            self.disconnect()
            raise
        # error replies come back as values (the readers' contract); some
        # map to ConnectionError or AuthenticationError, not ResponseError
        if isinstance(response, RedisError):
            raise response
        return response

    def encode(self, value):
        "Return a bytestring representation of the value"
        return self.encoder.encode(value)

    def pack_command(self, *args):
        "Pack a series of arguments into the Redis protocol"
        packed = _pack_command(self.encoder, args)
        # a list of buffers, as 2.10.6 returned
        return [packed] if packed.__class__ is bytes else packed

    def pack_commands(self, commands):
        "Pack multiple commands into the Redis protocol"
        return _pack_commands(self.encoder, commands)


class SSLConnection(Connection):
    description_format = "SSLConnection<host=%(host)s,port=%(port)s,db=%(db)s>"

    def __init__(self, ssl_keyfile=None, ssl_certfile=None, ssl_cert_reqs=None,
                 ssl_ca_certs=None, **kwargs):
        if not ssl_available:
            raise RedisError("Python wasn't built with SSL support")
        super(SSLConnection, self).__init__(**kwargs)
        self.keyfile = ssl_keyfile
        self.certfile = ssl_certfile
        if ssl_cert_reqs is None:
            ssl_cert_reqs = ssl.CERT_NONE
        elif isinstance(ssl_cert_reqs, str):
            cert_reqs = {
                'none': ssl.CERT_NONE,
                'optional': ssl.CERT_OPTIONAL,
                'required': ssl.CERT_REQUIRED,
            }
            if ssl_cert_reqs not in cert_reqs:
                raise RedisError(
                    "Invalid SSL Certificate Requirements Flag: %s" %
                    ssl_cert_reqs)
            ssl_cert_reqs = cert_reqs[ssl_cert_reqs]
        self.cert_reqs = ssl_cert_reqs
        self.ca_certs = ssl_ca_certs

    def _ssl_context(self):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        # 2.10.6 verified the chain (when asked) but never the host name.
        context.check_hostname = False
        context.verify_mode = self.cert_reqs
        if self.ca_certs:
            context.load_verify_locations(self.ca_certs)
        elif self.cert_reqs != ssl.CERT_NONE:
            context.load_default_certs()
        if self.certfile:
            context.load_cert_chain(self.certfile, self.keyfile)
        return context

    def _connect(self):
        "Wrap the socket with SSL support"
        sock = super(SSLConnection, self)._connect()
        try:
            return self._ssl_context().wrap_socket(sock)
        except BaseException:
            sock.close()
            raise


class UnixDomainSocketConnection(Connection):
    description_format = "UnixDomainSocketConnection<path=%(path)s,db=%(db)s>"

    def __init__(self, path='', db=0, password=None,
                 socket_timeout=None, encoding='utf-8',
                 encoding_errors='strict', decode_responses=False,
                 retry_on_timeout=False,
                 parser_class=DefaultParser, socket_read_size=65536):
        self.pid = os.getpid()
        self.path = path
        self.db = db
        self.password = password
        self.socket_timeout = socket_timeout
        self.retry_on_timeout = retry_on_timeout
        self.encoder = Encoder(encoding, encoding_errors, decode_responses)
        self._sock = None
        self._poller = None
        self._parser = parser_class(socket_read_size=socket_read_size)
        self._description_args = {'path': self.path, 'db': self.db}
        self._connect_callbacks = []

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

    def _error_message(self, exception):
        # args for socket.error can either be (errno, "message")
        # or just "message"
        if len(exception.args) == 1:
            return "Error connecting to unix socket: %s. %s." % (
                self.path, exception.args[0])
        return "Error %s connecting to unix socket: %s. %s." % (
            exception.args[0], self.path, exception.args[1])


# The pools live in redis.pool; 2.10.6 code imports them from here.
from redis.pool import (  # noqa: E402,F401
    BlockingConnectionPool, ConnectionPool, FALSE_STRINGS,
    URL_QUERY_ARGUMENT_PARSERS, to_bool,
)

__all__ = [
    'BaseParser', 'BlockingConnectionPool', 'Connection', 'ConnectionPool',
    'DataError', 'DefaultParser', 'Encoder', 'HiredisParser', 'PythonParser',
    'SSLConnection', 'Token', 'UnixDomainSocketConnection',
]
