"""Hash commands against a real server, under both parsers."""
import pytest

from redis.exceptions import DataError, ResponseError

from checks import same


BINARY = b'\x00\xff\r\n\x80'
UNICODE = u'\u00fc\u20ac\U0001f600'


def test_hset_and_hget(r, rd):
    same(r.hset('h', 'f', 'v'), 1)
    same(r.hset('h', 'f', 'w'), 0)
    same(r.hget('h', 'f'), b'w')
    same(rd.hget('h', 'f'), 'w')
    same(r.hget('h', 'missing'), None)
    same(r.hget('nokey', 'f'), None)


def test_hset_numbers_are_sent_as_text(r):
    r.hset('h', 1, 2.5)
    r.hset('h', 'n', 10)
    same(r.hget('h', '1'), b'2.5')
    same(r.hget('h', 'n'), b'10')


def test_binary_and_unicode_fields_and_values(r, rd):
    r.hset('h', BINARY, UNICODE)
    r.hset('h', UNICODE, BINARY)
    same(r.hget('h', BINARY), UNICODE.encode('utf-8'))
    same(rd.hget('h', BINARY), UNICODE)
    same(r.hget('h', UNICODE), BINARY)
    same(r.hgetall('h'), {BINARY: UNICODE.encode('utf-8'),
                          UNICODE.encode('utf-8'): BINARY})


def test_hsetnx(r):
    # 2.10.6 returns the server's integer here, not a bool
    same(r.hsetnx('h', 'f', 'v1'), 1)
    same(r.hsetnx('h', 'f', 'v2'), 0)
    same(r.hget('h', 'f'), b'v1')


def test_hmset_and_hmget(r, rd):
    same(r.hmset('h', {'a': '1', 'b': 2, 'c': 3.5}), True)
    same(r.hmget('h', ['a', 'b', 'c', 'x']), [b'1', b'2', b'3.5', None])
    same(rd.hmget('h', 'a', 'c'), ['1', '3.5'])
    same(rd.hmget('h', ('b',), 'x'), ['2', None])
    same(r.hmget('nokey', ['a']), [None])


def test_hmset_empty_mapping_raises_before_sending(offline):
    with pytest.raises(DataError):
        offline.hmset('h', {})


def test_hgetall(r, rd):
    same(r.hgetall('h'), {})
    same(rd.hgetall('h'), {})
    r.hmset('h', {'a': '1', 'b': '2'})
    same(r.hgetall('h'), {b'a': b'1', b'b': b'2'})
    same(rd.hgetall('h'), {'a': '1', 'b': '2'})


def test_hdel(r):
    r.hmset('h', {'a': 1, 'b': 2, 'c': 3})
    same(r.hdel('h', 'a'), 1)
    same(r.hdel('h', 'b', 'c', 'x'), 2)
    same(r.hdel('h', 'a'), 0)
    same(r.exists('h'), False)


def test_hexists(r):
    r.hset('h', 'a', 1)
    same(r.hexists('h', 'a'), True)
    same(r.hexists('h', 'b'), False)
    same(r.hexists('nokey', 'a'), False)


def test_hincrby(r):
    same(r.hincrby('h', 'n'), 1)
    same(r.hincrby('h', 'n', 41), 42)
    same(r.hincrby('h', 'n', amount=-50), -8)
    r.hset('h', 'f', 'x')
    with pytest.raises(ResponseError, match='not an integer'):
        r.hincrby('h', 'f')


def test_hincrbyfloat(r, rd):
    same(r.hincrbyfloat('h', 'n'), 1.0)
    same(r.hincrbyfloat('h', 'n', 0.5), 1.5)
    same(rd.hincrbyfloat('h', 'n', amount=-3), -1.5)
    r.hset('h', 'f', 'x')
    with pytest.raises(ResponseError, match='not a float'):
        r.hincrbyfloat('h', 'f')


def test_hkeys_hvals_hlen(r, rd):
    same(r.hkeys('h'), [])
    same(r.hvals('h'), [])
    same(r.hlen('h'), 0)
    r.hmset('h', {'a': '1', 'b': '2'})
    same(sorted(r.hkeys('h')), [b'a', b'b'])
    same(sorted(rd.hkeys('h')), ['a', 'b'])
    same(sorted(r.hvals('h')), [b'1', b'2'])
    same(sorted(rd.hvals('h')), ['1', '2'])
    same(r.hlen('h'), 2)


def test_hstrlen(r):
    r.hset('h', 'f', UNICODE)
    same(r.hstrlen('h', 'f'), len(UNICODE.encode('utf-8')))
    same(r.hstrlen('h', 'missing'), 0)


def test_wrong_type_is_a_response_error(r):
    r.set('s', 'x')
    with pytest.raises(ResponseError, match='WRONGTYPE'):
        r.hget('s', 'f')
    with pytest.raises(ResponseError, match='WRONGTYPE'):
        r.hgetall('s')
