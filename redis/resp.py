"""The RESP2 protocol, with no sockets in it.

``Encoder`` and the ``pack_*`` functions (in redis.packer, re-exported
here) turn commands into bytes; ``Reader`` turns bytes into replies with exactly the contract of ``hiredis.Reader``:
``feed(data)`` then ``gets()``, which returns one reply or ``False`` while
the reply is incomplete. Error replies are returned (built by the
``replyError`` factory), never raised; only a corrupt stream raises
``protocolError``.
"""
from __future__ import annotations

import codecs
from typing import Any, Callable, Optional, Tuple, Union

from redis.exceptions import InvalidResponse, ResponseError
from redis.packer import (  # noqa: F401 (re-exported)
    Encoder, Token, pack_command, pack_commands,
)

CRLF = b'\r\n'

# RESP2 type bytes, as buf[pos] gives them
BULK = ord('$')
ARRAY = ord('*')
STATUS = ord('+')
ERROR = ord('-')
INTEGER = ord(':')

# Redis refuses bulk strings over 512 MiB; a longer header can only be
# garbage, and trusting it would make us wait for (or allocate) that much.
MAX_BULK_LENGTH = 512 * 1024 * 1024
# A length header is the type byte, at most 20 characters of a 64-bit
# integer and CRLF: a header not ended within this many bytes is garbage.
MAX_HEADER_LENGTH = 24
# A bulk string at least this long is assembled from the received chunks
# directly (Reader._take_bulk) rather than joined first and sliced after.
BIG_BULK = 256 * 1024

# Batches of whole replies (Reader._batch) pay off only for runs of small
# arrays, such as pubsub messages:
_BATCH_MIN_BYTES = 256  # less buffered than this: parse reply by reply
_BATCH_MAX_ARRAY_LENGTH = 8  # elements per reply
_BATCH_HEADER_DIGITS = len(str(_BATCH_MAX_ARRAY_LENGTH))
_BATCH_MAX_REPLIES = 256  # replies per batch, bounding the work ahead
_BATCH_WINDOW = 16 * 1024  # bytes split per batch
# Bulk strings split at once in an array (Reader._split_bulks): only when
# more than this many remain, where it beats element-by-element parsing,
_SPLIT_MIN_ELEMENTS = 16
# over a window sized for elements of up to this many bytes each (past
# the window, longer ones are parsed one by one), plus slack, and capped
# so that one pass copies a bounded slice of a big buffer.
_SPLIT_BYTES_PER_ELEMENT = 96
_SPLIT_WINDOW_SLACK = 1024
_SPLIT_WINDOW_MAX = 256 * 1024
# hiredis.Reader's default maxbuf, reported by getmaxbuf()
_HIREDIS_DEFAULT_MAXBUF = 16 * 1024

_bulk_header = b'$%d'.__mod__

_INCOMPLETE = object()
_ARRAY = object()


def read_length_header(data: bytes) -> Optional[Tuple[int, int]]:
    """The length that a bulk or array header at the start of ``data``
    states, and where what follows it starts: ``(length, start)``; None
    when ``data`` does not start with a whole, numeric one."""
    if data[:1] not in (b'$', b'*'):
        return None
    end = data.find(CRLF, 1, MAX_HEADER_LENGTH)
    if end < 0:
        return None
    try:
        return int(data[1:end]), end + 2
    except ValueError:
        return None


def _exact_pairs(heads, values):
    """How many leading (header, value) pairs of a buffer split on CRLF
    have a header stating exactly the value's length.

    That check makes splitting as exact as a byte-by-byte parse: a value
    holding CRLF, a nil, an integer or a cut-off value fails it."""
    lengths = list(map(_bulk_header, map(len, values)))
    if lengths == heads:
        return len(heads)
    good = 0
    for length, head in zip(lengths, heads):
        if length != head:
            break
        good += 1
    return good


class Reader(object):
    """A pure-Python RESP2 reader with the interface of ``hiredis.Reader``.

    Replies are parsed with ``bytes.find`` and slices over the whole buffer,
    and a partial array keeps its progress on a stack, so a reply arriving in
    many pieces is never parsed twice.
    """

    __slots__ = ('_buf', '_pos', '_chunks', '_avail', '_need', '_stack',
                 '_pending_bulk', '_ready', '_ready_pos', '_ready_end',
                 '_batching', '_decode_error', '_failed', '_maxbuf',
                 '_protocol_error', '_reply_error', '_encoding', '_errors')

    def __init__(
            self,
            protocolError: Callable[[str], BaseException] = InvalidResponse,
            replyError: Callable[[str], BaseException] = ResponseError,
            encoding: Optional[str] = None, errors: Optional[str] = None,
    ) -> None:
        if not (callable(protocolError) and callable(replyError)):
            raise TypeError('Expected a callable')
        self._protocol_error = protocolError
        self._reply_error = replyError
        self.set_encoding(encoding, errors)
        self._maxbuf = _HIREDIS_DEFAULT_MAXBUF
        self._buf = b''
        self._pos = 0
        self._chunks = []
        self._avail = 0    # bytes fed but not yet joined into _buf
        # total unparsed bytes needed before parsing is worth it
        self._need = 0
        self._stack = []   # [list, expected length] of arrays being filled
        # (header length, value length) of a big bulk string being received
        self._pending_bulk = None
        # Replies parsed ahead by _batch(), the next one's index, and where
        # in _buf the batch ends (_pos stays at its start until it is used up)
        self._ready = None
        self._ready_pos = 0
        self._ready_end = 0
        self._batching = True  # False after a failed _batch(), until feed()
        # hiredis' way with a value that does not decode: the reply holding
        # it is still read whole, then this error is raised in its place
        self._decode_error = None
        # a protocol error, raised again by every later gets() (the stream
        # can no longer be trusted; see _fail)
        self._failed = None

    def __repr__(self) -> str:
        return 'Reader<buffered=%d,pending_arrays=%d>' % (
            len(self._buf) - self._pos + self._avail, len(self._stack))

    def feed(self, data: Union[bytes, bytearray, memoryview, str],
             offset: int = 0, length: int = -1) -> None:
        if offset or length != -1:
            if offset < 0 or length < -1:
                raise ValueError('negative input')
            end = len(data) if length == -1 else offset + length
            if offset > len(data) or end > len(data):
                raise ValueError('input is larger than buffer size')
            data = data[offset:end]
        if data:
            if data.__class__ is not bytes:
                data = data.encode('utf-8') if isinstance(data, str) \
                    else bytes(data)
            if self._avail or self._pos < len(self._buf):
                self._chunks.append(data)
                self._avail += len(data)
            else:
                # nothing buffered (the usual round trip): parse in place
                self._buf = data
                self._pos = 0
            self._batching = True

    def len(self) -> int:
        "How many bytes are buffered and not yet parsed"
        return len(self._buf) - self._pos + self._avail

    def set_encoding(self, encoding: Optional[str] = None,
                     errors: Optional[str] = None) -> None:
        "Decode bulk and status replies from now on (None: return bytes)"
        if encoding is not None:
            codecs.lookup(encoding)  # LookupError now, not at the first reply
        self._encoding = encoding
        self._errors = errors or 'strict'

    def getmaxbuf(self) -> int:
        return self._maxbuf

    def setmaxbuf(self, size: int) -> None:
        # hiredis' limit on the buffer it keeps when idle; this reader keeps
        # none (it parses the bytes objects it is fed in place)
        if size < 0:
            raise ValueError('maxbuf value out of range')
        self._maxbuf = size

    def has_data(self) -> bool:
        return self._pos < len(self._buf) or self._avail > 0

    def _take_bulk(self):
        """Cut a big bulk string, now fully buffered, straight out of the
        received chunks: one copy, where joining the chunks and then slicing
        the value would make two (each a fresh, page-faulting allocation)."""
        skip, take = self._pending_bulk
        self._pending_bulk = None
        pieces = []
        rest = []
        for chunk in [self._buf[self._pos:]] + self._chunks:
            if skip:
                if len(chunk) <= skip:
                    skip -= len(chunk)
                    continue
                chunk = chunk[skip:]
                skip = 0
            if take:
                if len(chunk) <= take:
                    pieces.append(chunk)
                    take -= len(chunk)
                    continue
                pieces.append(chunk[:take])
                chunk = chunk[take:]
                take = 0
            rest.append(chunk)
        rest = b''.join(rest)
        if rest[:2] != CRLF:
            raise self._fail(
                'Protocol error: bulk string not followed by CRLF')
        self._buf = rest
        self._pos = 2
        self._chunks = []
        self._avail = 0
        self._need = 0
        value = pieces[0] if len(pieces) == 1 else b''.join(pieces)
        if self._encoding is not None:
            value = self._decode(value)
        return value

    def _fail(self, message):
        # a corrupt stream: the error is raised again by every later gets()
        self._failed = self._protocol_error(message)
        return self._failed

    def _decode(self, value):
        try:
            return value.decode(self._encoding, self._errors)
        except UnicodeDecodeError as e:
            if self._decode_error is None:
                self._decode_error = e
            return value

    def _decode_all(self, values):
        try:
            return [value.decode(self._encoding, self._errors)
                    for value in values]
        except UnicodeDecodeError:
            return [self._decode(value) for value in values]

    def _fill(self):
        # Join pending chunks onto what is left unparsed; only called when
        # enough bytes are there to make progress, so big bulks join once.
        chunks = self._chunks
        if self._pos < len(self._buf):
            chunks.insert(0, self._buf[self._pos:])
        self._buf = chunks[0] if len(chunks) == 1 else b''.join(chunks)
        self._pos = 0
        self._chunks = []
        self._avail = 0

    def gets(self) -> Any:
        if self._failed is not None:
            raise self._failed
        ready = self._ready
        if ready is not None:
            i = self._ready_pos
            value = ready[i]
            i += 1
            if i < len(ready):
                self._ready_pos = i
                return value
            self._ready = None
            if self._ready_end == len(self._buf):
                self._buf = b''
                self._pos = 0
            else:
                self._pos = self._ready_end
            return value
        if self._batching and not self._avail and not self._stack:
            # Tried once per feed(), at a reply boundary (not while a
            # partial array is being finished): a run of arrays starts
            # with '*'.
            if len(self._buf) - self._pos > _BATCH_MIN_BYTES and \
                    self._buf[self._pos] == ARRAY:
                value = self._batch(self._buf, self._pos)
                if value is not None:
                    return value
            self._batching = False
        value = _INCOMPLETE
        if self._avail:
            if len(self._buf) - self._pos + self._avail < self._need:
                return False
            if self._pending_bulk is not None:
                value = self._take_bulk()
            else:
                self._fill()
        elif self._pos >= len(self._buf):
            return False
        return self._parse(value)

    def _parse(self, value):
        """Parse from ``_pos`` until a whole reply is read (returned) or the
        buffer runs out (False). ``value`` is a big bulk string that
        _take_bulk has just assembled, or _INCOMPLETE."""
        buf = self._buf
        pos = self._pos
        stack = self._stack
        element = self._element
        while True:
            if value is not _INCOMPLETE:
                pass
            elif stack and stack[-1][1] - len(stack[-1][0]) > 1:
                top = stack[-1]
                if top[1] - len(top[0]) > _SPLIT_MIN_ELEMENTS:
                    pos = self._split_bulks(buf, pos, top)
                pos = self._fill_bulks(buf, pos, top)
                if pos < 0:
                    # (_fill_bulks set _need for the element it stopped in)
                    self._pos = -pos - 1
                    return False
                if len(top[0]) == top[1]:
                    value = stack.pop()[0]
                else:
                    value, pos = element(buf, pos)
            else:
                value, pos = element(buf, pos)
            if value is _INCOMPLETE:
                self._pos = pos
                return False
            if value is _ARRAY:
                value = _INCOMPLETE
                continue
            # Attach the value to the innermost open array, closing the
            # arrays it completes.
            while stack:
                top = stack[-1]
                items = top[0]
                items.append(value)
                if len(items) < top[1]:
                    value = _INCOMPLETE
                    break
                value = stack.pop()[0]
            else:
                break
        self._need = 0
        if pos == len(buf):
            self._buf = b''
            self._pos = 0
        else:
            self._pos = pos
        if self._decode_error is not None:
            error, self._decode_error = self._decode_error, None
            raise error
        return value

    def _batch(self, buf, pos):
        """A run of replies shaped like the one at ``pos`` -- an array of
        a few bulk strings, a pubsub message say -- parsed at once: split
        on CRLF in C, kept as far as every header states its array's length
        or its value's length exactly (see _exact_pairs).

        Returns the first reply, the others wait in ``_ready``; None when
        fewer than two replies qualify (nothing is consumed then)."""
        # the array's header: '*', its length's digits, CRLF
        nl = buf.find(CRLF, pos, pos + 1 + _BATCH_HEADER_DIGITS + len(CRLF))
        if nl < 0:
            return None
        head = buf[pos:nl]
        try:
            n = int(head[1:])
        except ValueError:
            return None
        if not 0 < n <= _BATCH_MAX_ARRAY_LENGTH:
            return None
        k = 2 * n + 1  # tokens per reply
        tokens = buf[pos:pos + _BATCH_WINDOW].split(
            CRLF, k * _BATCH_MAX_REPLIES)
        # whole replies seen
        groups = min((len(tokens) - 1) // k, _BATCH_MAX_REPLIES)
        if groups < 2:
            return None
        limit = groups * k
        heads = tokens[0:limit:k]
        if heads.count(head) != groups:
            groups = heads.index(next(h for h in heads if h != head))
            limit = groups * k
        columns = []
        for j in range(1, k, 2):
            values = tokens[j + 1:limit:k]
            good = _exact_pairs(tokens[j:limit:k], values)
            if good < groups:
                groups = good
                limit = groups * k
                columns = [column[:groups] for column in columns]
                values = values[:groups]
            columns.append(values)
        if groups < 2:
            return None
        if self._encoding is not None:
            encoding, errors = self._encoding, self._errors
            try:
                columns = [[value.decode(encoding, errors) for value in column]
                           for column in columns]
            except UnicodeDecodeError:
                return None  # the reply-by-reply path raises in its turn
        replies = list(map(list, zip(*columns)))
        self._need = 0
        self._ready = replies
        self._ready_pos = 1
        self._ready_end = pos + sum(map(len, tokens[:limit])) + 2 * limit
        return replies[0]

    def _element(self, buf, pos):
        """Parse the element at ``pos``: (value, next pos), (_ARRAY, next pos)
        after opening an array, or (_INCOMPLETE, pos) with ``_need`` set."""
        nl = buf.find(CRLF, pos)
        if nl < 0:
            if pos < len(buf) and buf[pos] not in _PARSERS:
                # garbage: refused now, not buffered until a CRLF comes
                raise self._fail(
                    'Protocol error, got %r as reply type byte'
                    % buf[pos:pos + 1])
            self._need = len(buf) - pos + 1
            return _INCOMPLETE, pos
        parse = _PARSERS.get(buf[pos])
        if parse is None:
            raise self._fail('Protocol error, got %r as reply type byte'
                             % buf[pos:pos + 1])
        return parse(self, buf, pos, nl)

    # One per type byte (see _PARSERS): the element whose header starts at
    # ``pos`` and ends with the CRLF at ``nl``, as (value, next pos).

    def _bulk(self, buf, pos, nl):
        # (_INCOMPLETE, pos) with _need set when the value is not all here
        try:
            n = int(buf[pos + 1:nl])
        except ValueError:
            n = self._length(buf, pos, nl)  # raises the protocol error
        if n < -1 or n > MAX_BULK_LENGTH:
            n = self._length(buf, pos, nl)  # raises the protocol error
        if n < 0:
            return None, nl + 2
        end = nl + 2 + n
        if end + 2 > len(buf):
            self._need = end + 2 - pos
            if n >= BIG_BULK:
                self._pending_bulk = (nl + 2 - pos, n)
            return _INCOMPLETE, pos
        if buf[end:end + 2] != CRLF:
            raise self._fail(
                'Protocol error: bulk string not followed by CRLF')
        value = buf[nl + 2:end]
        if self._encoding is not None:
            try:
                value = value.decode(self._encoding, self._errors)
            except UnicodeDecodeError:
                value = self._decode(value)
        return value, end + 2

    def _status(self, buf, pos, nl):
        value = buf[pos + 1:nl]
        if self._encoding is not None:
            value = self._decode(value)
        return value, nl + 2

    def _integer(self, buf, pos, nl):
        try:
            return int(buf[pos + 1:nl]), nl + 2
        except ValueError:
            raise self._fail(
                'Protocol error: bad integer %r' % buf[pos + 1:nl])

    def _array(self, buf, pos, nl):
        # (_ARRAY, next pos) once a non-empty array is opened on the stack
        n = self._length(buf, pos, nl)
        if n > 0:
            self._stack.append([[], n])
            return _ARRAY, nl + 2
        return (None if n < 0 else []), nl + 2

    def _error(self, buf, pos, nl):
        # returned as a value, and as text whatever the encoding: hiredis
        # and 2.10.6 read it as UTF-8 too
        return self._reply_error(
            buf[pos + 1:nl].decode('utf-8', 'replace')), nl + 2

    def _length(self, buf, pos, nl):
        try:
            n = int(buf[pos + 1:nl])
        except ValueError:
            raise self._fail(
                'Protocol error: bad length %r' % buf[pos + 1:nl])
        if n < -1 or n > MAX_BULK_LENGTH:
            raise self._fail('Protocol error: length %d out of range' % n)
        return n

    def _split_bulks(self, buf, pos, top):
        """Fastest path for arrays of plain bulk strings: split a window of
        the buffer on CRLF in C and keep the (header, value) pairs that
        _exact_pairs accepts; the caller's exact parse takes over from
        there. Returns the position after the accepted elements."""
        items = top[0]
        want = top[1] - len(items)
        size = min(want * _SPLIT_BYTES_PER_ELEMENT + _SPLIT_WINDOW_SLACK,
                   _SPLIT_WINDOW_MAX)
        parts = buf[pos:pos + size].split(CRLF, 2 * want)
        pairs = (len(parts) - 1) // 2
        if not pairs:
            return pos
        heads = parts[0:2 * pairs:2]
        values = parts[1:2 * pairs:2]
        good = _exact_pairs(heads, values)
        if good < pairs:
            if not good:
                return pos
            heads = heads[:good]
            values = values[:good]
            pairs = good
        pos += sum(map(len, heads)) + sum(map(len, values)) + 4 * pairs
        if self._encoding is not None:
            values = self._decode_all(values)
        items += values
        return pos

    def _fill_bulks(self, buf, pos, top):
        """Fast path: append consecutive bulk strings and integers to an
        array without going around the general loop.

        Returns the position after the last complete element, or
        ``-(pos + 1)`` when the buffer ran out mid-element (at ``pos``).
        Stops at the first element of another kind.
        """
        items = top[0]
        append = items.append
        remaining = top[1] - len(items)
        find = buf.find
        size = len(buf)
        bulk = self._bulk
        while remaining:
            if pos >= size:
                self._need = 1
                return -(pos + 1)
            kind = buf[pos]
            if kind == BULK:
                nl = find(CRLF, pos)
                if nl < 0:
                    self._need = size - pos + 1
                    return -(pos + 1)
                value, end = bulk(buf, pos, nl)
                if value is _INCOMPLETE:
                    return -(pos + 1)
                append(value)
                pos = end
            elif kind == INTEGER:
                nl = find(CRLF, pos)
                if nl < 0:
                    self._need = size - pos + 1
                    return -(pos + 1)
                try:
                    append(int(buf[pos + 1:nl]))
                except ValueError:
                    raise self._fail(
                        'Protocol error: bad integer %r' % buf[pos + 1:nl])
                pos = nl + 2
            else:
                return pos
            remaining -= 1
        return pos


_PARSERS = {
    BULK: Reader._bulk,
    ARRAY: Reader._array,
    STATUS: Reader._status,
    ERROR: Reader._error,
    INTEGER: Reader._integer,
}
