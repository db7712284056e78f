"""SCAN, SSCAN, HSCAN, ZSCAN and their iterators against a real server.

Hashes, sorted sets and sets are filled with raw execute_command calls so
these tests depend only on the scan commands. Collections are made large
enough (over 512 entries) to be hash tables, which the server pages
through in several calls; small ones come back whole."""
from decimal import Decimal

import pytest

from redis.exceptions import ResponseError

WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value'
N = 600


def fill_keys(client, n=N, prefix='key:'):
    client.execute_command('MSET', *[x for i in range(n)
                                     for x in ('%s%d' % (prefix, i), i)])


def fill_hash(client, name, n=N):
    client.execute_command('HSET', name, *[x for i in range(n)
                                           for x in ('f%d' % i, 'v%d' % i)])


def fill_zset(client, name, n=N):
    client.execute_command('ZADD', name, *[x for i in range(n)
                                           for x in (i, 'm%d' % i)])


# ---- SCAN ----------------------------------------------------------------

def test_scan_empty(r):
    assert r.scan() == (0, [])


def test_scan_small_returns_everything_at_once(r):
    r.set('a', 1)
    r.set('b', 2)
    cursor, keys = r.scan()
    assert cursor == 0 and type(cursor) is int
    assert type(keys) is list
    assert sorted(keys) == [b'a', b'b']


def test_scan_pages_with_cursor(r):
    fill_keys(r)
    seen = []
    cursor, keys = r.scan(0, count=10)
    seen.extend(keys)
    assert cursor != 0 and type(cursor) is int
    calls = 1
    while cursor != 0:
        cursor, keys = r.scan(cursor=cursor, count=10)
        seen.extend(keys)
        calls += 1
    assert calls > 2
    assert set(seen) == {b'key:%d' % i for i in range(N)}


def test_scan_match(r):
    fill_keys(r, 50, 'key:')
    fill_keys(r, 50, 'other:')
    seen = set()
    cursor = None
    while cursor != 0:
        cursor, keys = r.scan(cursor or 0, match='other:1*')
        seen.update(keys)
    assert seen == {b'other:%d' % i for i in range(50)
                    if str(i).startswith('1')}


def test_scan_decoded(rd):
    rd.set('ключ', 1)
    assert rd.scan() == (0, ['ключ'])


def test_scan_iter(r):
    fill_keys(r)
    r.set(b'\xff\x00', 1)
    keys = list(r.scan_iter(count=7))
    assert set(keys) == {b'key:%d' % i for i in range(N)} | {b'\xff\x00'}
    assert len(keys) >= N + 1


def test_scan_iter_match(r):
    fill_keys(r, 200, 'key:')
    fill_keys(r, 10, 'x:')
    assert sorted(r.scan_iter(match='x:*')) == sorted(
        b'x:%d' % i for i in range(10))
    assert list(r.scan_iter(match='nothing*', count=1000)) == []


def test_scan_iter_empty_db(r):
    assert list(r.scan_iter()) == []


def test_scan_iter_decoded(rd):
    fill_keys(rd, 150)
    keys = set(rd.scan_iter(match='key:1*', count=20))
    assert keys == {'key:%d' % i for i in range(150)
                    if str(i).startswith('1')}


def test_scan_bad_cursor_is_a_response_error(r):
    with pytest.raises(ResponseError) as e:
        r.scan('not-a-cursor')
    assert str(e.value) == 'invalid cursor'


# ---- SSCAN ---------------------------------------------------------------

def test_sscan(r):
    assert r.sscan('missing') == (0, [])
    r.execute_command('SADD', 's', 'a', 'b', b'\xff')
    cursor, members = r.sscan('s')
    assert cursor == 0
    assert sorted(members) == [b'a', b'b', b'\xff']
    cursor, members = r.sscan('s', match='a')
    assert members == [b'a']


def test_sscan_iter(r):
    r.execute_command('SADD', 's', *range(N))
    members = list(r.sscan_iter('s', count=10))
    assert set(members) == {str(i).encode() for i in range(N)}
    assert sorted(r.sscan_iter('s', match='29?')) == [
        b'29%d' % i for i in range(10)]


def test_sscan_iter_decoded(rd):
    rd.execute_command('SADD', 's', 'é', 'x')
    assert sorted(rd.sscan_iter('s')) == ['x', 'é']


def test_sscan_wrong_type(r):
    r.set('a', 1)
    with pytest.raises(ResponseError) as e:
        r.sscan('a')
    assert str(e.value) == WRONGTYPE


# ---- HSCAN ---------------------------------------------------------------

def test_hscan(r):
    assert r.hscan('missing') == (0, {})
    r.execute_command('HSET', 'h', 'a', 1, 'b', b'\x00\xff')
    cursor, data = r.hscan('h')
    assert cursor == 0
    assert type(data) is dict
    assert data == {b'a': b'1', b'b': b'\x00\xff'}
    assert r.hscan('h', match='a') == (0, {b'a': b'1'})


def test_hscan_pages(r):
    fill_hash(r, 'h')
    cursor, data = r.hscan('h', count=10)
    assert cursor != 0 and type(cursor) is int
    assert type(data) is dict and data
    while cursor != 0:
        cursor, more = r.hscan('h', cursor, count=10)
        data.update(more)
    assert data == {b'f%d' % i: b'v%d' % i for i in range(N)}


def test_hscan_iter(r):
    fill_hash(r, 'h')
    pairs = list(r.hscan_iter('h', count=15))
    assert all(type(p) is tuple and len(p) == 2 for p in pairs)
    assert dict(pairs) == {b'f%d' % i: b'v%d' % i for i in range(N)}
    assert dict(r.hscan_iter('h', match='f1?')) == {
        b'f%d' % i: b'v%d' % i for i in range(10, 20)}


def test_hscan_iter_decoded(rd):
    rd.execute_command('HSET', 'h', 'ключ', 'значение')
    assert list(rd.hscan_iter('h')) == [('ключ', 'значение')]


# ---- ZSCAN ---------------------------------------------------------------

def test_zscan(r):
    assert r.zscan('missing') == (0, [])
    r.execute_command('ZADD', 'z', 1, 'a', 2.5, 'b')
    cursor, data = r.zscan('z')
    assert cursor == 0
    assert data == [(b'a', 1.0), (b'b', 2.5)]
    assert all(type(score) is float for _, score in data)
    assert r.zscan('z', match='b') == (0, [(b'b', 2.5)])


def test_zscan_score_cast_func(r):
    r.execute_command('ZADD', 'z', 1, 'a', 2, 'b')
    cursor, data = r.zscan('z', score_cast_func=int)
    assert data == [(b'a', 1), (b'b', 2)]
    assert all(type(score) is int for _, score in data)


def test_zscan_score_cast_func_decoded(rd):
    rd.execute_command('ZADD', 'z', 1.25, 'a')
    assert rd.zscan('z', score_cast_func=Decimal) == (
        0, [('a', Decimal('1.25'))])


def test_zscan_iter(r):
    fill_zset(r, 'z')
    pairs = list(r.zscan_iter('z', count=10))
    assert dict(pairs) == {b'm%d' % i: float(i) for i in range(N)}
    assert all(type(p) is tuple and type(p[1]) is float for p in pairs)
    assert sorted(r.zscan_iter('z', match='m29?', score_cast_func=int)) == [
        (b'm29%d' % i, 290 + i) for i in range(10)]


def test_zscan_iter_decoded(rd):
    rd.execute_command('ZADD', 'z', '-inf', 'low', 3, 'é')
    assert sorted(rd.zscan_iter('z')) == [('low', float('-inf')),
                                          ('é', 3.0)]


def test_zscan_wrong_type(r):
    r.set('a', 1)
    with pytest.raises(ResponseError) as e:
        r.zscan('a')
    assert str(e.value) == WRONGTYPE
