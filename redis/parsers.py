"""Reply parsers: read replies off a connection's socket through a RESP
reader.

PythonParser and HiredisParser differ only in the reader they build (pure
Python or hiredis) and in how that reader takes bytes; one socket loop
serves both. redis.connection re-exports everything here under its 2.10.6
names.
"""
from __future__ import annotations

import socket
from io import BytesIO
from typing import TYPE_CHECKING, Any, Callable, Optional

from redis.exceptions import (
    ConnectionError, EXCEPTION_CLASSES, InvalidResponse, RedisError,
    TimeoutError, error_from_reply,
)
from redis.resp import (
    BIG_BULK, BULK, MAX_BULK_LENGTH, MAX_HEADER_LENGTH, Reader as PythonReader,
    read_length_header,
)
from redis.utils import HIREDIS_AVAILABLE

if HIREDIS_AVAILABLE:
    import hiredis

if TYPE_CHECKING:
    from redis.connection_classes import Connection

SERVER_CLOSED_CONNECTION_ERROR = "Connection closed by server."

# A reply starting with a bulk header with no CR in this many bytes after
# its '$' states a length of at least as many digits as BIG_BULK has.
_BIG_BULK_DIGITS = len(str(BIG_BULK))
# How many socket reads' worth of buffer a hiredis reader keeps between
# replies (see HiredisParser.make_reader)
_HIREDIS_KEPT_READS = 4


def check_reply_header(data: bytes) -> None:
    """Raise InvalidResponse when ``data`` starts with a bulk or array
    header whose length no server sends (hiredis would wait for it)."""
    header = read_length_header(data)
    if header is not None and header[0] > MAX_BULK_LENGTH:
        raise InvalidResponse(
            'Protocol error: length %d out of range' % header[0])


class BaseParser(object):
    """Plain implementation and methods common to both parsers.

    Every error reply, nested ones included, becomes the exception that
    ``parse_error`` returns, which looks its code up in
    ``EXCEPTION_CLASSES``: a subclass may extend the table (cluster clients
    add MOVED, ASK, ...) or override ``parse_error``.
    """
    EXCEPTION_CLASSES = EXCEPTION_CLASSES

    def __repr__(self) -> str:
        return '%s<>' % type(self).__name__

    def parse_error(self, response: str) -> BaseException:
        "Parse an error response"
        return error_from_reply(response, self.EXCEPTION_CLASSES)

    def reply_error_factory(self) -> Callable[[str], BaseException]:
        """What the reader calls to build the exception for an error reply:
        ``parse_error``, or the module's function that does the same when
        neither it nor the table was changed (saves a method call)."""
        if type(self).parse_error is BaseParser.parse_error and \
                self.EXCEPTION_CLASSES is EXCEPTION_CLASSES:
            return error_from_reply
        return self.parse_error


class SocketBuffer(object):
    """2.10.6's buffered reading of a socket, which its PythonParser read
    replies through: whole lines, and values of a known length followed by
    CRLF. This package's parsers use a RESP reader instead; the class is
    kept, working, for code built on it."""

    def __init__(self, socket: socket.socket, socket_read_size: int) -> None:
        self._sock = socket
        self.socket_read_size = socket_read_size
        self._buffer = BytesIO()
        self.bytes_written = 0  # received into _buffer
        self.bytes_read = 0  # handed out of _buffer

    def __repr__(self) -> str:
        return 'SocketBuffer<buffered=%d>' % self.length

    @property
    def length(self) -> int:
        "Bytes received and not yet read"
        return self.bytes_written - self.bytes_read

    def _read_from_socket(self, length=None):
        "Receive once, or until ``length`` more bytes have come"
        buf = self._buffer
        buf.seek(self.bytes_written)
        received = 0
        try:
            while True:
                data = self._sock.recv(self.socket_read_size)
                if not data:
                    raise OSError(SERVER_CLOSED_CONNECTION_ERROR)
                buf.write(data)
                received += len(data)
                self.bytes_written += len(data)
                if length is None or received >= length:
                    return
        except socket.timeout:
            raise TimeoutError("Timeout reading from socket")
        except OSError as e:
            raise ConnectionError("Error while reading from socket: %s" %
                                  (e.args,))

    def _consumed(self, count):
        self.bytes_read += count
        if self.bytes_read == self.bytes_written:
            self.purge()  # all read: start over rather than grow

    def read(self, length: int) -> bytes:
        "The next ``length`` bytes, and the CRLF after them skipped"
        wanted = length + 2
        if self.length < wanted:
            self._read_from_socket(wanted - self.length)
        self._buffer.seek(self.bytes_read)
        data = self._buffer.read(wanted)
        self._consumed(len(data))
        return data[:-2]

    def readline(self) -> bytes:
        "The next line, without its CRLF"
        while True:
            self._buffer.seek(self.bytes_read)
            line = self._buffer.readline()
            if line.endswith(b'\r\n'):
                self._consumed(len(line))
                return line[:-2]
            self._read_from_socket()

    def purge(self) -> None:
        "Drop everything buffered"
        self._buffer.seek(0)
        self._buffer.truncate()
        self.bytes_written = 0
        self.bytes_read = 0

    def close(self) -> None:
        try:
            self.purge()
            self._buffer.close()
        except Exception:
            pass  # the buffer is dropped either way
        self._buffer = None
        self._sock = None


class SocketParser(BaseParser):
    """Reads replies off the connection's socket through a RESP reader.

    Subclasses choose the reader (``make_reader``) and how it takes bytes.
    """
    # True for a reader that copies what it is fed (hiredis): reads then go
    # into one reusable buffer, and a big bulk reply bypasses the reader
    # (see _read_big_bulk). False for one that keeps the bytes objects it is
    # fed (the pure-Python reader): each read makes a fresh one.
    reads_into_buffer = False
    # True for a reader that would wait for any length a header states (as
    # hiredis does): the first bytes of a reply spread over several reads
    # are checked (check_reply_header).
    checks_headers = True

    def __init__(self, socket_read_size: int = 65536) -> None:
        self.socket_read_size = socket_read_size
        self._forget_socket()

    def __repr__(self) -> str:
        return '%s<reader=%r>' % (type(self).__name__, self._reader)

    def __del__(self) -> None:
        try:
            self.on_disconnect()
        except Exception:
            pass

    def make_reader(self, encoding: Optional[str],
                    errors: Optional[str]) -> Any:
        raise NotImplementedError

    def on_connect(self, connection: Connection) -> None:
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

    def on_disconnect(self) -> None:
        "Called when the socket disconnects"
        self._forget_socket()

    def _forget_socket(self):
        # False once a gets() that returned False may have left part of a
        # reply inside the reader with nothing buffered (hiredis keeps an
        # array it has begun to itself): can_read() and the pubsub fast
        # paths clear it. The next read then cannot be a reply's start.
        self._boundary = True
        self._sock = None
        self._recv = None
        self._recv_into = None
        self._buffer = None
        self._reader = None
        self._has_data = None
        self._next_response = False
        self.encoder = None

    def can_read(self) -> bool:
        "True when a whole reply is already buffered"
        if self._reader is None:
            raise ConnectionError(SERVER_CLOSED_CONNECTION_ERROR)
        if self._next_response is False:
            self._next_response = self._reader.gets()
            if self._next_response is False:
                self._boundary = False
        return self._next_response is not False

    def has_buffered_data(self) -> bool:
        "True when any unparsed bytes or a parsed reply wait in the parser"
        reader = self._reader
        if reader is None:
            return False
        if self._next_response is not False:
            return True
        if self._has_data is not None:
            return self._has_data()
        return self.can_read()

    def read_response(self) -> Any:
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
            if self._boundary:
                return self._read_into_buffer(reader, True)
            # (this read completes the reply a gets() elsewhere began)
            self._boundary = True
            return self._read_into_buffer(reader, False)
        if self.checks_headers:
            at_boundary = self._boundary and not (
                self._has_data is not None and self._has_data())
            self._boundary = True
        else:
            at_boundary = False
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
                # not an absurd length we would wait for forever (only a
                # reply's first bytes are a header).
                if at_boundary:
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
        # a bulk string whose length has as many digits as BIG_BULK or more
        if at_boundary and buf[0] == BULK and \
                buf.find(b'\r', 1, min(n, 1 + _BIG_BULK_DIGITS)) < 0:
            response = self._read_big_bulk(bytes(memoryview(buf)[:n]))
            if response is not False:
                return response
        reader.feed(buf, 0, n)
        response = reader.gets()
        if response is False:
            if at_boundary:
                check_reply_header(buf[:min(n, MAX_HEADER_LENGTH)])
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
        header = read_length_header(data)
        if header is None:
            return False
        length, start = header
        if length < BIG_BULK or length > MAX_BULK_LENGTH:
            return False
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
    checks_headers = False  # the reader refuses absurd lengths itself

    def make_reader(self, encoding: Optional[str],
                    errors: Optional[str]) -> Any:
        return PythonReader(protocolError=InvalidResponse,
                            replyError=self.reply_error_factory(),
                            encoding=encoding, errors=errors)


class HiredisParser(SocketParser):
    "Parses replies with hiredis' C reader"
    reads_into_buffer = True

    def __init__(self, socket_read_size: int = 65536) -> None:
        if not HIREDIS_AVAILABLE:
            raise RedisError("Hiredis is not installed")
        SocketParser.__init__(self, socket_read_size)

    def make_reader(self, encoding: Optional[str],
                    errors: Optional[str]) -> Any:
        kwargs = {'protocolError': InvalidResponse,
                  'replyError': self.reply_error_factory()}
        if encoding is not None:
            kwargs['encoding'] = encoding
            kwargs['errors'] = errors
        reader = hiredis.Reader(**kwargs)
        # hiredis frees its buffer after every reply over 16 KiB; growing it
        # again for the next big reply page-faults (~20 faults per LRANGE of
        # 10,000) whenever malloc has trimmed the heap. Keeping a few reads'
        # worth per connection costs little and makes that go away.
        setmaxbuf = getattr(reader, 'setmaxbuf', None)  # (hiredis >= 1.0)
        if setmaxbuf is not None:
            setmaxbuf(_HIREDIS_KEPT_READS * self.socket_read_size)
        return reader


DefaultParser = HiredisParser if HIREDIS_AVAILABLE else PythonParser
