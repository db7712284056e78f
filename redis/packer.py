"""Commands to RESP2 bytes, with no sockets in it: ``Encoder`` turns
arguments into bytes, ``pack_command``/``pack_commands`` build the wire
form of one command or of a batch (re-exported by redis.resp)."""
from __future__ import annotations

from typing import Any, Iterable, List, Sequence, Union

from redis.utils import b

CRLF = b'\r\n'

# Above this size an argument is sent as its own buffer instead of being
# copied into the joined command.
_BIG_ARG = 16 * 1024


class Token(object):
    """A literal command word, encoded once (kept for 2.10.6 compatibility)."""

    _cache = {}

    @classmethod
    def get_token(cls, value: str) -> Token:
        try:
            return cls._cache[value]
        except KeyError:
            token = cls._cache[value] = Token(value)
            return token

    def __init__(self, value: Union[str, Token]) -> None:
        if isinstance(value, Token):
            value = value.value
        self.value = value
        self.encoded_value = b(value)  # latin-1, as 2.10.6 encoded tokens

    def __repr__(self) -> str:
        return self.value

    def __str__(self) -> str:
        return self.value


class Encoder(object):
    """Turns command arguments into bytes and, if asked, replies into str."""

    def __init__(self, encoding: str, encoding_errors: str,
                 decode_responses: bool) -> None:
        self.encoding = encoding
        self.encoding_errors = encoding_errors
        self.decode_responses = decode_responses

    def __repr__(self) -> str:
        return 'Encoder<encoding=%s,errors=%s,decode_responses=%s>' % (
            self.encoding, self.encoding_errors, self.decode_responses)

    def encode(self, value: Any) -> bytes:
        "Return a bytestring representation of the value"
        if isinstance(value, bytes):
            return value
        if isinstance(value, str):
            return value.encode(self.encoding, self.encoding_errors)
        if isinstance(value, Token):
            return value.encoded_value
        if value.__class__ is int:
            return b'%d' % value
        if isinstance(value, int):
            # a subclass's str() as 2.10.6 sent it: 'True' for True, and
            # whatever an IntEnum's __str__ says on this Python
            return b(str(value))
        if isinstance(value, float):
            return b(repr(value))
        if isinstance(value, (bytearray, memoryview)):
            return bytes(value)
        return str(value).encode(self.encoding, self.encoding_errors)

    def decode(self, value: Any, force: bool = False) -> Any:
        "Return a unicode string from the byte representation"
        if (self.decode_responses or force) and isinstance(value, bytes):
            return value.decode(self.encoding, self.encoding_errors)
        return value


# Command names repeat on every call: their RESP prefix is built once, for
# up to this many distinct names (a program building names on the fly must
# not grow the cache without bound).
_NAME_CACHE_SIZE = 4096
_name_cache = {}

# Headers for the lengths most arguments and commands have, built once:
# a lookup and a concatenation are a third cheaper than %-formatting.
_SMALL_ARG = 1024  # bytes; shorter arguments take a prebuilt header
_SMALL_ARRAY = 64  # arguments; fewer take a prebuilt header
_BULK_HEADERS = tuple(b'$%d\r\n' % n for n in range(_SMALL_ARG))
_ARRAY_HEADERS = tuple(b'*%d\r\n' % n for n in range(_SMALL_ARRAY))


def _name_prefix(name):
    prefix = _name_cache.get(name)
    if prefix is None:
        words = name.split() if isinstance(name, str) else [name]
        out = []
        for word in words:
            if isinstance(word, str):
                word = b(word)  # latin-1, as 2.10.6 encoded command names
            elif isinstance(word, Token):
                word = word.encoded_value
            out.append(b'$%d\r\n%s\r\n' % (len(word), word))
        prefix = (len(words), b''.join(out))
        if len(_name_cache) < _NAME_CACHE_SIZE:
            _name_cache[name] = prefix
    return prefix


def pack_commands(encoder: Encoder,
                  commands: Iterable[Sequence[Any]]) -> List[bytes]:
    """Pack commands (each a sequence of arguments) into a list of buffers
    for ``sendall``.

    Small arguments are joined into one buffer; a big one stays a buffer
    of its own, so a 100 MiB value is never copied again just to join it.
    """
    out = []
    pieces = []
    append = pieces.append
    encoding = encoder.encoding
    errors = encoder.encoding_errors
    encode = encoder.encode
    cache = _name_cache
    for args in commands:
        prefix = cache.get(args[0])
        if prefix is None:
            prefix = _name_prefix(args[0])
        n = prefix[0] + len(args) - 1
        append(_ARRAY_HEADERS[n] if n < _SMALL_ARRAY else b'*%d\r\n' % n)
        append(prefix[1])
        first = True
        for arg in args:
            if first:  # the name, already in the prefix
                first = False
                continue
            cls = arg.__class__
            if cls is str:
                arg = arg.encode(encoding, errors)
            elif cls is not bytes:
                arg = encode(arg)
            n = len(arg)
            if n < _SMALL_ARG:
                append(_BULK_HEADERS[n] + arg + CRLF)
            elif n > _BIG_ARG:
                append(b'$%d\r\n' % n)
                out.append(b''.join(pieces))
                out.append(arg)
                pieces = [CRLF]
                append = pieces.append
            else:
                append(b'$%d\r\n%s\r\n' % (n, arg))
    out.append(b''.join(pieces))
    return out


def pack_command(encoder: Encoder,
                 args: Sequence[Any]) -> Union[bytes, List[bytes]]:
    """Pack one command for ``sendall``: one bytes object, or a list of
    buffers when an argument is big (see pack_commands)."""
    # pack_commands for one command, minus its loops: this runs per call
    prefix = _name_cache.get(args[0])
    if prefix is None:
        prefix = _name_prefix(args[0])
    n = prefix[0] + len(args) - 1
    pieces = [_ARRAY_HEADERS[n] if n < _SMALL_ARRAY else b'*%d\r\n' % n,
              prefix[1]]
    append = pieces.append
    for arg in args[1:]:
        cls = arg.__class__
        if cls is str:
            arg = arg.encode(encoder.encoding, encoder.encoding_errors)
        elif cls is not bytes:
            arg = encoder.encode(arg)
        n = len(arg)
        if n < _SMALL_ARG:
            append(_BULK_HEADERS[n] + arg + CRLF)
        elif n > _BIG_ARG:
            return pack_commands(encoder, (args,))
        else:
            append(b'$%d\r\n%s\r\n' % (n, arg))
    return b''.join(pieces)
