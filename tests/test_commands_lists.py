"""List commands against a real server, including the blocking pops."""
import threading

import pytest

from redis.exceptions import ResponseError

WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value'
ALL_BYTES = bytes(range(256))
UNICODE = 'Ünïcödé ✓ 中文 \U0001f600'
# fractional timeouts (Redis >= 6) keep the timing-out cases fast
SHORT = 0.05


# ---- pushes and pops -----------------------------------------------------

def test_lpush_rpush_return_lengths(r):
    assert r.lpush('a', 1) == 1
    assert r.lpush('a', 2, 3) == 3
    assert r.rpush('a', 4, 5) == 5
    assert r.lrange('a', 0, -1) == [b'3', b'2', b'1', b'4', b'5']
    assert type(r.rpush('a', 6)) is int


def test_pushx_only_on_existing_lists(r):
    assert r.lpushx('a', 1) == 0
    assert r.rpushx('a', 1) == 0
    assert r.exists('a') is False
    r.rpush('a', 'm')
    assert r.lpushx('a', 'l') == 2
    assert r.rpushx('a', 'r') == 3
    assert r.lrange('a', 0, -1) == [b'l', b'm', b'r']


def test_lpop_rpop(r):
    assert r.lpop('a') is None
    assert r.rpop('a') is None
    r.rpush('a', 1, 2, 3)
    assert r.lpop('a') == b'1'
    assert r.rpop('a') == b'3'
    assert r.lrange('a', 0, -1) == [b'2']


def test_pops_decoded(rd):
    rd.rpush('a', UNICODE, 'x')
    assert rd.lpop('a') == UNICODE
    assert rd.rpop('a') == 'x'
    assert rd.lpop('a') is None


def test_binary_and_empty_items(r):
    items = [bytes([i]) for i in range(256)] + [b'', ALL_BYTES]
    r.rpush(ALL_BYTES, *items)
    assert r.llen(ALL_BYTES) == 258
    assert r.lrange(ALL_BYTES, 0, -1) == items


def test_large_item(r):
    value = ALL_BYTES * (4096 + 1)   # just over 1 MiB
    r.rpush('a', value, 'small')
    assert r.lindex('a', 0) == value
    assert r.lrange('a', 0, -1) == [value, b'small']


def test_rpoplpush(r):
    assert r.rpoplpush('a', 'b') is None
    r.rpush('a', 1, 2)
    r.rpush('b', 3)
    assert r.rpoplpush('a', 'b') == b'2'
    assert r.lrange('a', 0, -1) == [b'1']
    assert r.lrange('b', 0, -1) == [b'2', b'3']
    # same list: a rotation
    r.rpush('c', 1, 2, 3)
    assert r.rpoplpush('c', 'c') == b'3'
    assert r.lrange('c', 0, -1) == [b'3', b'1', b'2']


# ---- reading and editing -------------------------------------------------

def test_llen(r):
    assert r.llen('a') == 0
    r.rpush('a', 1, 2)
    assert r.llen('a') == 2


def test_lindex(r):
    r.rpush('a', 'x', 'y', 'z')
    assert r.lindex('a', 0) == b'x'
    assert r.lindex('a', -1) == b'z'
    assert r.lindex('a', 3) is None
    assert r.lindex('missing', 0) is None


def test_lrange(r):
    assert r.lrange('a', 0, -1) == []
    r.rpush('a', 1, 2, 3, 4, 5)
    assert r.lrange('a', 0, 2) == [b'1', b'2', b'3']
    assert r.lrange('a', -2, -1) == [b'4', b'5']
    assert r.lrange('a', 10, 20) == []


def test_lrange_decoded(rd):
    rd.rpush('a', 'é', '')
    assert rd.lrange('a', 0, -1) == ['é', '']


def test_linsert(r):
    r.rpush('a', 1, 2, 3)
    assert r.linsert('a', 'after', 2, 2.5) == 4
    assert r.linsert('a', 'BEFORE', 1, 0) == 5
    assert r.lrange('a', 0, -1) == [b'0', b'1', b'2', b'2.5', b'3']
    assert r.linsert('a', 'after', 'nope', 9) == -1
    assert r.linsert('missing', 'after', 1, 2) == 0


def test_linsert_bad_where_is_a_response_error(r):
    r.rpush('a', 1)
    with pytest.raises(ResponseError) as e:
        r.linsert('a', 'beside', 1, 2)
    assert str(e.value) == 'syntax error'


def test_lrem_strict_argument_order(r):
    r.rpush('a', 'x', 'y', 'x', 'y', 'x')
    assert r.lrem('a', 1, 'x') == 1
    assert r.lrange('a', 0, -1) == [b'y', b'x', b'y', b'x']
    assert r.lrem('a', -1, 'y') == 1
    assert r.lrange('a', 0, -1) == [b'y', b'x', b'x']
    assert r.lrem('a', 0, 'x') == 2
    assert r.lrange('a', 0, -1) == [b'y']
    assert r.lrem('a', 0, 'nope') == 0


def test_lset(r):
    r.rpush('a', 1, 2, 3)
    assert r.lset('a', 1, 'two') is True
    assert r.lset('a', -1, b'\xff') is True
    assert r.lrange('a', 0, -1) == [b'1', b'two', b'\xff']


def test_lset_errors(r):
    r.rpush('a', 1)
    with pytest.raises(ResponseError) as e:
        r.lset('a', 5, 'x')
    assert str(e.value) == 'index out of range'
    with pytest.raises(ResponseError) as e:
        r.lset('missing', 0, 'x')
    assert str(e.value) == 'no such key'


def test_ltrim(r):
    r.rpush('a', 1, 2, 3, 4)
    assert r.ltrim('a', 1, -2) is True
    assert r.lrange('a', 0, -1) == [b'2', b'3']
    assert r.ltrim('a', 5, 10) is True
    assert r.exists('a') is False
    assert r.ltrim('missing', 0, 1) is True


def test_list_command_on_wrong_type(r):
    r.set('s', 1)
    with pytest.raises(ResponseError) as e:
        r.lpush('s', 1)
    assert str(e.value) == WRONGTYPE
    with pytest.raises(ResponseError) as e:
        r.blpop('s', SHORT)
    assert str(e.value) == WRONGTYPE


# ---- blocking pops -------------------------------------------------------

def test_blpop_brpop_return_key_value_tuples(r):
    r.rpush('a', 1, 2)
    r.rpush('b', 3, 4)
    assert r.blpop(['a', 'b'], timeout=1) == (b'a', b'1')
    assert r.brpop(['b', 'a'], timeout=1) == (b'b', b'4')
    assert r.blpop(['missing', 'b']) == (b'b', b'3')
    assert r.brpop('a', timeout=None) == (b'a', b'2')


def test_blpop_key_forms(r):
    r.rpush('a', 1, 2, 3, 4)
    assert r.blpop('a', 1) == (b'a', b'1')
    assert r.blpop(b'a', 1) == (b'a', b'2')
    assert r.blpop(('missing', 'a'), 1) == (b'a', b'3')
    assert r.blpop(iter(['a']), 1) == (b'a', b'4')


def test_blocking_pops_decoded(rd):
    rd.rpush('ключ', 'é', 'ü')
    assert rd.blpop('ключ', 1) == ('ключ', 'é')
    assert rd.brpop(['ключ'], 1) == ('ключ', 'ü')


def test_blocking_pops_binary(r):
    r.rpush(ALL_BYTES, ALL_BYTES, b'')
    assert r.blpop(ALL_BYTES, 1) == (ALL_BYTES, ALL_BYTES)
    assert r.brpop([ALL_BYTES], 1) == (ALL_BYTES, b'')


def test_blocking_pops_time_out_with_none(r):
    assert r.blpop('a', timeout=SHORT) is None
    assert r.brpop(['a', 'b'], timeout=SHORT) is None
    assert r.brpoplpush('a', 'b', timeout=SHORT) is None
    assert r.exists('b') is False


def test_blocking_pops_time_out_decoded(rd):
    assert rd.blpop('a', SHORT) is None
    assert rd.brpoplpush('a', 'b', SHORT) is None


def test_brpoplpush(r):
    r.rpush('a', 1, 2)
    assert r.brpoplpush('a', 'b') == b'2'
    assert r.brpoplpush('a', 'b', timeout=None) == b'1'
    assert r.lrange('b', 0, -1) == [b'1', b'2']


def test_blpop_waits_for_a_push(r, make_client):
    pusher = make_client()
    results = []
    waiter = threading.Thread(
        target=lambda: results.append(r.blpop('a', timeout=10)))
    waiter.start()
    # whether the push lands before or after BLPOP blocks, it pops it
    pusher.rpush('a', 'late')
    waiter.join(15)
    assert not waiter.is_alive()
    assert results == [(b'a', b'late')]


def test_brpoplpush_waits_for_a_push(r, make_client):
    pusher = make_client()
    results = []
    waiter = threading.Thread(
        target=lambda: results.append(r.brpoplpush('a', 'b', 10)))
    waiter.start()
    pusher.rpush('a', 'late')
    waiter.join(15)
    assert results == [b'late']
    assert r.lrange('b', 0, -1) == [b'late']


def test_blocking_pop_outlasts_socket_timeout(make_client):
    # socket_timeout must not cut short a pop that waits as asked
    client = make_client(socket_timeout=0.25)
    assert client.blpop('a', timeout=0.5) is None
    assert client.ping() is True
