"""The sans-IO RESP core: the packer, and both readers fed in every way.

The pure-Python Reader must behave exactly like hiredis.Reader; every
stream here is checked against hiredis when it is installed, and against
the expected values always.
"""
import random

import pytest
from hypothesis import given, settings, strategies as st

from redis.exceptions import (
    ExecAbortError, InvalidResponse, NoScriptError, ReadOnlyError,
    ResponseError, error_from_reply,
)
from redis.resp import Encoder, Reader, Token, pack_command, pack_commands

try:
    import hiredis
except ImportError:  # the plain tox env
    hiredis = None

READERS = [pytest.param(Reader, id='python'),
           pytest.param(getattr(hiredis, 'Reader', None), id='hiredis',
                        marks=pytest.mark.skipif(
                            hiredis is None,
                            reason='hiredis is not installed'))]

ENC = Encoder('utf-8', 'strict', False)


def joined(out):
    "pack_command's bytes, or its list of buffers joined"
    return out if out.__class__ is bytes else b''.join(out)


def packed(*args):
    return joined(pack_command(ENC, args))


class TestPacker(object):
    def test_simple(self):
        assert packed('SET', 'foo', 'bar') == \
            b'*3\r\n$3\r\nSET\r\n$3\r\nfoo\r\n$3\r\nbar\r\n'

    def test_multi_word_command_name(self):
        assert packed('CONFIG GET', 'maxmemory') == \
            b'*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$9\r\nmaxmemory\r\n'

    def test_types(self):
        class Thing(object):
            def __str__(self):
                return 'thing'
        assert packed('X', b'\x00\xff', 'é', 12, -3, 1.5, 0.1, Thing()) == (
            b'*8\r\n$1\r\nX\r\n$2\r\n\x00\xff\r\n$2\r\n\xc3\xa9\r\n'
            b'$2\r\n12\r\n$2\r\n-3\r\n$3\r\n1.5\r\n$3\r\n0.1\r\n'
            b'$5\r\nthing\r\n')

    def test_float_uses_repr(self):
        assert packed('X', 1 / 3.0).endswith(b'$18\r\n0.3333333333333333\r\n')

    def test_token(self):
        assert Token.get_token('WITHSCORES') is Token.get_token('WITHSCORES')
        assert packed('X', Token.get_token('LIMIT')) == \
            b'*2\r\n$1\r\nX\r\n$5\r\nLIMIT\r\n'

    def test_encoding_and_errors(self):
        latin = Encoder('latin-1', 'strict', False)
        assert joined(pack_command(latin, ('X', 'é'))).endswith(
            b'$1\r\n\xe9\r\n')
        ascii_replace = Encoder('ascii', 'replace', False)
        assert joined(pack_command(ascii_replace, ('X', 'é'))).endswith(
            b'$1\r\n?\r\n')
        with pytest.raises(UnicodeEncodeError):
            pack_command(Encoder('ascii', 'strict', False), ('X', 'é'))

    def test_big_argument_is_not_copied(self):
        big = b'v' * (1024 * 1024)
        chunks = pack_command(ENC, ('SET', 'k', big))
        assert any(chunk is big for chunk in chunks)
        assert b''.join(chunks) == (b'*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n'
                                    % len(big) + big + b'\r\n')

    def test_one_small_command_is_one_bytes_object(self):
        # what sendall takes as is: no list to walk per call
        assert pack_command(ENC, ('GET', 'k')) == b'*2\r\n$3\r\nGET\r\n$1\r\nk\r\n'

    def test_pack_commands_joins_small_ones(self):
        commands = [('SET', 'a', 1), ('GET', 'a'), ('INCR', 'b')]
        out = pack_commands(ENC, commands)
        assert len(out) == 1
        assert out[0] == b''.join(packed(*c) for c in commands)

    def test_pack_commands_many(self):
        commands = [('SET', 'k%d' % i, 'v' * 100) for i in range(5000)]
        out = pack_commands(ENC, commands)
        assert b''.join(out) == b''.join(packed(*c) for c in commands)

    def test_decode(self):
        assert Encoder('utf-8', 'strict', True).decode(b'\xc3\xa9') == 'é'
        assert ENC.decode(b'x') == b'x'
        assert ENC.decode(b'x', force=True) == 'x'


def norm(value):
    "Comparable form: exceptions become (class name, message)"
    if isinstance(value, list):
        return [norm(v) for v in value]
    if isinstance(value, Exception):
        return (type(value).__name__, str(value))
    return value


def read_all(reader_class, chunks, **kwargs):
    reader = reader_class(protocolError=InvalidResponse,
                          replyError=error_from_reply, **kwargs)
    replies = []
    for chunk in chunks:
        reader.feed(chunk)
        while True:
            reply = reader.gets()
            if reply is False:
                break
            replies.append(norm(reply))
    assert reader.gets() is False
    return replies


STREAM = (b'+OK\r\n:12\r\n:-7\r\n$3\r\nbar\r\n$0\r\n\r\n$-1\r\n*-1\r\n*0\r\n'
          b'-ERR bad thing\r\n-NOSCRIPT No matching script\r\n'
          b'*3\r\n$1\r\na\r\n*2\r\n:1\r\n-EXECABORT aborted\r\n$-1\r\n'
          b'*2\r\n*2\r\n*0\r\n*1\r\n:5\r\n+x\r\n'
          b'$4\r\na\r\nb\r\n')
STREAM_VALUES = [
    b'OK', 12, -7, b'bar', b'', None, None, [],
    ('ResponseError', 'bad thing'), ('NoScriptError', 'No matching script'),
    [b'a', [1, ('ExecAbortError', 'aborted')], None],
    [[[], [5]], b'x'],
    b'a\r\nb',
]


def long_array(n, width=8):
    return (b'*%d\r\n' % n) + b''.join(
        b'$%d\r\n%s\r\n' % (width, (b'%0*d' % (width, i))) for i in range(n))


@pytest.mark.parametrize('reader_class', READERS)
class TestReader(object):
    def test_whole(self, reader_class):
        assert read_all(reader_class, [STREAM]) == STREAM_VALUES

    def test_byte_by_byte(self, reader_class):
        chunks = [STREAM[i:i + 1] for i in range(len(STREAM))]
        assert read_all(reader_class, chunks) == STREAM_VALUES

    def test_random_chunks(self, reader_class):
        rnd = random.Random(1234)
        for _ in range(100):
            cuts = sorted(rnd.sample(range(1, len(STREAM)), rnd.randint(1, 20)))
            chunks = [STREAM[a:b] for a, b in
                      zip([0] + cuts, cuts + [len(STREAM)])]
            assert read_all(reader_class, chunks) == STREAM_VALUES

    def test_error_classes(self, reader_class):
        replies = read_all(reader_class, [
            b'-READONLY You can\'t write\r\n-WRONGTYPE Operation\r\n'])
        assert replies == [('ReadOnlyError', "You can't write"),
                           ('ResponseError', 'WRONGTYPE Operation')]

    def test_error_is_returned_not_raised(self, reader_class):
        reader = reader_class(protocolError=InvalidResponse,
                              replyError=error_from_reply)
        reader.feed(b'-NOSCRIPT gone\r\n')
        reply = reader.gets()
        assert isinstance(reply, NoScriptError)
        assert isinstance(reply, ResponseError)

    def test_decoding(self, reader_class):
        replies = read_all(reader_class,
                           [b'$2\r\n\xc3\xa9\r\n+\xc3\xa9\r\n*1\r\n$1\r\nx\r\n'],
                           encoding='utf-8')
        assert replies == ['é', 'é', ['x']]

    def test_long_array_in_chunks(self, reader_class):
        data = long_array(20000)
        expected = [b'%08d' % i for i in range(20000)]
        for size in (1, 7, 4096, 65536):
            if size == 1:
                chunks = [data[i:i + 1] for i in range(0, 20000)] + [data[20000:]]
            else:
                chunks = [data[i:i + size] for i in range(0, len(data), size)]
            assert read_all(reader_class, chunks) == [expected]

    def test_big_bulk_in_small_chunks(self, reader_class):
        value = bytes(range(256)) * 4096  # 1 MiB, every byte value
        data = b'$%d\r\n' % len(value) + value + b'\r\n'
        chunks = [data[i:i + 1000] for i in range(0, len(data), 1000)]
        assert read_all(reader_class, chunks) == [value]

    def test_big_bulks_inside_arrays(self, reader_class):
        big = [bytes([i]) * (300 * 1024 + i) for i in range(3)]
        data = (b'*5\r\n' + _bulk(big[0])[0] + b':1\r\n' +
                b'*2\r\n' + _bulk(big[1])[0] + b'$1\r\nx\r\n' +
                _bulk(big[2])[0] + b'$-1\r\n+OK\r\n')
        expected = [[big[0], 1, [big[1], b'x'], big[2], None], b'OK']
        for size in (4096, 65536, 100000):
            chunks = [data[i:i + size] for i in range(0, len(data), size)]
            assert read_all(reader_class, chunks) == expected

    def test_incomplete_returns_false(self, reader_class):
        reader = reader_class()
        assert reader.gets() is False
        reader.feed(b'*2\r\n$3\r\nfoo\r\n')
        assert reader.gets() is False
        reader.feed(b':1\r')
        assert reader.gets() is False
        reader.feed(b'\n')
        assert reader.gets() == [b'foo', 1]

    def test_feed_with_offset_and_length(self, reader_class):
        reader = reader_class()
        reader.feed(b'xx+OK\r\nyy', 2, 5)
        assert reader.gets() == b'OK'

    @pytest.mark.parametrize('garbage', [
        b'?what\r\n', b'$abc\r\n', b'*x\r\n', b':1x\r\n', b'$-5\r\n',
        b'*-2\r\n',
    ])
    def test_malformed(self, reader_class, garbage):
        reader = reader_class(protocolError=InvalidResponse)
        reader.feed(garbage)
        with pytest.raises(InvalidResponse):
            reader.gets()


    @pytest.mark.parametrize('chunk', [None, 1, 7])
    @pytest.mark.parametrize('data, expected', [
        # a value that does not decode: that reply is read whole and the
        # error raised in its place; the replies around it are unaffected
        (b'$1\r\n\xff\r\n+OK\r\n', ['UnicodeDecodeError', 'OK']),
        (b'*2\r\n*1\r\n:1\r\n$1\r\n\xff\r\n:7\r\n',
         ['UnicodeDecodeError', 7]),
        (b'*2\r\n$300000\r\n' + b'\xff' * 300000 + b'\r\n:5\r\n+OK\r\n',
         ['UnicodeDecodeError', 'OK']),
        # ... also in the middle of a run of small arrays (a pubsub batch)
        (b'*1\r\n$1\r\na\r\n' * 30 + b'*1\r\n$1\r\n\xff\r\n'
         b'*1\r\n$1\r\nb\r\n', [['a']] * 30 + ['UnicodeDecodeError', ['b']]),
    ])
    def test_undecodable_value_costs_only_its_reply(self, reader_class, data,
                                                   expected, chunk):
        reader = reader_class(protocolError=InvalidResponse,
                              replyError=error_from_reply, encoding='utf-8')
        got = []
        pieces = [data] if chunk is None else \
            [data[i:i + chunk] for i in range(0, len(data), chunk)]
        for piece in pieces:
            reader.feed(piece)
            # (bounded: a reader stuck on the bad value raises for ever)
            while len(got) <= len(expected):
                try:
                    reply = reader.gets()
                except UnicodeDecodeError:
                    got.append('UnicodeDecodeError')
                    continue
                if reply is False:
                    break
                got.append(reply)
        assert got == expected

    def test_protocol_error_sticks(self, reader_class):
        # the stream cannot be trusted after it: no reply is made up later
        reader = reader_class(protocolError=InvalidResponse)
        reader.feed(b'*3\r\n:1\r\n')
        assert reader.gets() is False
        reader.feed(b':2\r\nX\r\n:9\r\n')
        for _ in range(3):
            with pytest.raises(InvalidResponse):
                reader.gets()

    def test_garbage_without_crlf_is_refused_at_once(self, reader_class):
        reader = reader_class(protocolError=InvalidResponse)
        reader.feed(b'HTTP/1.1 400 Bad Request')  # not a Redis server
        with pytest.raises(InvalidResponse):
            reader.gets()

    def test_error_reply_is_utf8_whatever_the_encoding(self, reader_class):
        assert read_all(reader_class, [b'-ERR \xc3\xa9\xff\r\n'],
                        encoding='latin-1') == [('ResponseError', '\xe9\ufffd')]



    @pytest.mark.parametrize('args, message', [
        ((-1, 2), 'negative input'), ((0, -2), 'negative input'),
        ((9, 1), 'input is larger than buffer size'),
        ((2, 9), 'input is larger than buffer size'),
    ])
    def test_feed_refuses_a_window_outside_the_data(self, reader_class, args,
                                                   message):
        reader = reader_class()
        with pytest.raises(ValueError, match=message):
            reader.feed(b'+OK\r\n', *args)
        reader.feed(b'+OK\r\n', 5, 0)  # an empty window is fine
        assert reader.gets() is False

    def test_feed_takes_text_as_utf8(self, reader_class):
        reader = reader_class()
        reader.feed('+\u00e9\r\n')
        assert reader.gets() == b'\xc3\xa9'

    def test_constructor_checks(self, reader_class):
        with pytest.raises(LookupError):
            reader_class(encoding='no-such-codec')
        with pytest.raises(TypeError):
            reader_class(protocolError=5)
        with pytest.raises(TypeError):
            reader_class(replyError='ResponseError')

    def test_len_maxbuf_and_set_encoding(self, reader_class):
        reader = reader_class()
        reader.feed(b'+OK\r\n+X')
        assert reader.len() == 7
        assert reader.getmaxbuf() == 16 * 1024
        reader.setmaxbuf(65536)
        assert reader.getmaxbuf() == 65536
        assert reader.gets() == b'OK'
        reader.set_encoding('utf-8')
        reader.feed(b'\r\n$2\r\n\xc3\xa9\r\n')
        assert reader.gets() == 'X'
        assert reader.gets() == '\u00e9'


class TestPythonReaderOnly(object):
    def test_bulk_without_crlf_is_malformed(self):
        # hiredis does not check the two bytes after a bulk; we do
        reader = Reader(protocolError=InvalidResponse)
        reader.feed(b'$3\r\nabcde')
        with pytest.raises(InvalidResponse):
            reader.gets()

    def test_absurd_length_raises_before_waiting(self):
        reader = Reader(protocolError=InvalidResponse)
        reader.feed(b'$999999999999\r\n')
        with pytest.raises(InvalidResponse):
            reader.gets()
        reader = Reader(protocolError=InvalidResponse)
        reader.feed(b'*9999999999999\r\n')
        with pytest.raises(InvalidResponse):
            reader.gets()

    def test_repr(self):
        reader = Reader()
        reader.feed(b'*2\r\n:1\r\n')
        assert reader.gets() is False
        assert repr(reader) == 'Reader<buffered=0,pending_arrays=1>'


# Any RESP value, as (wire bytes, expected python value).
def _bulk(data):
    return (b'$%d\r\n' % len(data)) + data + b'\r\n', data


resp_leaf = st.one_of(
    st.binary(max_size=40).map(_bulk),
    st.integers(min_value=-2 ** 63, max_value=2 ** 63 - 1).map(
        lambda i: (b':%d\r\n' % i, i)),
    st.text(alphabet=st.characters(blacklist_characters='\r\n',
                                   blacklist_categories=('Cs',)),
            max_size=20).map(
        lambda t: (b'+' + t.encode() + b'\r\n', t.encode())),
    st.text(alphabet='abcdefgh ', min_size=1, max_size=20).map(
        lambda t: (b'-ERR ' + t.encode() + b'\r\n', ('ResponseError', t))),
    st.just((b'$-1\r\n', None)),
    st.just((b'*-1\r\n', None)),
)


def _array(items):
    return ((b'*%d\r\n' % len(items)) + b''.join(w for w, _ in items),
            [v for _, v in items])


resp_value = st.recursive(resp_leaf, lambda children: st.lists(
    children, max_size=12).map(_array), max_leaves=60)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(resp_value, min_size=1, max_size=6),
       cuts=st.lists(st.integers(min_value=0, max_value=10 ** 6), max_size=12))
def test_readers_agree_on_any_stream(values, cuts):
    stream = b''.join(w for w, _ in values)
    expected = [v for _, v in values]
    points = sorted(set(c % (len(stream) + 1) for c in cuts))
    chunks = [stream[a:b] for a, b in zip([0] + points, points + [len(stream)])]
    assert read_all(Reader, chunks) == expected
    assert read_all(Reader, [stream]) == expected
    if hiredis is not None:
        assert read_all(hiredis.Reader, chunks) == expected


def _wire(item):
    if item is None:
        return b'$-1\r\n'
    if isinstance(item, int):
        return b':%d\r\n' % item
    return _bulk(item)[0]


@settings(max_examples=200, deadline=None)
@given(items=st.lists(st.one_of(
    st.binary(max_size=30),
    st.sampled_from([b'\r\n', b'a\r\nb', b'$1\r\nx', b'\r\n$2\r\nab\r\n']),
    st.none(), st.integers(min_value=-10 ** 6, max_value=10 ** 6)),
    min_size=17, max_size=300),
    cuts=st.lists(st.integers(min_value=0, max_value=10 ** 6), max_size=8),
    decode=st.booleans())
def test_long_arrays_with_tricky_values(items, cuts, decode):
    # long arrays take the split-on-CRLF fast path; values that contain
    # CRLF or look like headers, nils and integers must all fall back to
    # the exact parse and give the same result
    stream = (b'*%d\r\n' % len(items)) + b''.join(_wire(i) for i in items)
    points = sorted(set(c % (len(stream) + 1) for c in cuts))
    chunks = [stream[a:b] for a, b in zip([0] + points, points + [len(stream)])]
    kwargs = {'encoding': 'latin-1'} if decode else {}
    expected = [i.decode('latin-1') if decode and isinstance(i, bytes) else i
                for i in items]
    assert read_all(Reader, chunks, **kwargs) == [expected]
    if hiredis is not None:
        assert read_all(hiredis.Reader, chunks, **kwargs) == [expected]


small_array = st.lists(st.one_of(
    st.binary(max_size=12),
    st.sampled_from([b'message', b'pmessage', b'\r\n', b'$3\r\nabc',
                     b'*3\r\n']),
    st.none(), st.integers(min_value=-5, max_value=5)), min_size=1,
    max_size=4)


@settings(max_examples=300, deadline=None)
@given(replies=st.lists(st.one_of(small_array, st.just([b'message', b'ch',
                                                        b'data'])),
                        min_size=2, max_size=120),
       cuts=st.lists(st.integers(min_value=0, max_value=10 ** 6), max_size=6),
       decode=st.booleans())
def test_runs_of_small_arrays(replies, cuts, decode):
    # long runs of small arrays (pubsub messages) are parsed in batches;
    # any value that breaks the pattern must end the batch exactly there
    stream = b''.join((b'*%d\r\n' % len(r)) + b''.join(_wire(i) for i in r)
                      for r in replies)
    points = sorted(set(c % (len(stream) + 1) for c in cuts))
    chunks = [stream[a:b] for a, b in zip([0] + points, points + [len(stream)])]
    kwargs = {'encoding': 'latin-1'} if decode else {}
    expected = [[i.decode('latin-1') if decode and isinstance(i, bytes) else i
                 for i in r] for r in replies]
    assert read_all(Reader, chunks, **kwargs) == expected
    assert read_all(Reader, [stream], **kwargs) == expected
    if hiredis is not None:
        assert read_all(hiredis.Reader, chunks, **kwargs) == expected


def test_batching_resumes_after_a_partial_array():
    # A read that ends inside a pubsub message: the next read finishes it,
    # and the messages after it in that read must still be parsed as a
    # batch (one by one costs a busy subscriber about 15%).
    message = b'*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$4\r\n%04d\r\n'
    stream = b''.join(message % i for i in range(100))
    cut = stream.index(b'$2', len(message % 0) * 10)  # inside message 10
    reader = Reader()
    reader.feed(stream[:cut])
    assert [reader.gets() for _ in range(10)] == \
        [[b'message', b'ch', b'%04d' % i] for i in range(10)]
    assert reader.gets() is False
    reader.feed(stream[cut:])
    assert reader.gets() == [b'message', b'ch', b'0010']
    assert reader.gets() == [b'message', b'ch', b'0011']
    assert reader._ready is not None  # the rest came from one batch
    rest = []
    while True:
        reply = reader.gets()
        if reply is False:
            break
        rest.append(reply)
    assert rest == [[b'message', b'ch', b'%04d' % i] for i in range(12, 100)]
