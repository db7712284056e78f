"""String commands against a real server: GET/SET and their variants,
counters, MGET/MSET, ranges and bit operations; binary, unicode, empty and
large values."""
import datetime

import pytest

from redis.exceptions import RedisError, ResponseError

WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value'
ALL_BYTES = bytes(range(256))
UNICODE = 'Ünïcödé ✓ 中文 \U0001f600'


# ---- GET / SET -----------------------------------------------------------

def test_get_missing_is_none(r):
    assert r.get('a') is None


def test_set_and_get(r):
    assert r.set('a', 'value') is True
    assert r.get('a') == b'value'


def test_set_and_get_decoded(rd):
    assert rd.set('a', 'value') is True
    assert rd.get('a') == 'value'


@pytest.mark.parametrize('value, stored', [
    (1, b'1'), (-7, b'-7'), (2 ** 70, b'1180591620717411303424'),
    (1.5, b'1.5'), (0.1, b'0.1'), (b'', b''), ('', b''),
    # their bytes, where 2.10.6 on Python 3 stored their repr
    (bytearray(b'\x00ab'), b'\x00ab'), (memoryview(b'mv'), b'mv'),
    (memoryview(b'xmvx')[1:3], b'mv'),
])
def test_set_encodes_values(r, value, stored):
    r.set('a', value)
    assert r.get('a') == stored


def test_binary_keys_and_values(r):
    assert r.set(ALL_BYTES, ALL_BYTES) is True
    assert r.get(ALL_BYTES) == ALL_BYTES
    assert r.strlen(ALL_BYTES) == 256
    for i in range(256):
        r.set(bytes([i]), bytes([i]) * 3)
    assert r.mget([bytes([i]) for i in range(256)]) == [
        bytes([i]) * 3 for i in range(256)]


def test_unicode(r, rd):
    r.set(UNICODE, UNICODE)
    assert r.get(UNICODE) == UNICODE.encode('utf-8')
    assert rd.get(UNICODE) == UNICODE
    assert r.strlen(UNICODE) == len(UNICODE.encode('utf-8'))


def test_large_value(r):
    value = ALL_BYTES * (5 * 4096 + 7)   # a bit over 5 MiB
    assert r.set('big', value) is True
    assert r.get('big') == value
    assert r.strlen('big') == len(value)
    assert r.getrange('big', 1024 * 1024, 1024 * 1024 + 255) == ALL_BYTES


def test_large_value_decoded(rd):
    value = UNICODE * 100000   # about 2 MiB of UTF-8
    rd.set('big', value)
    assert rd.get('big') == value


def test_empty_string_value_and_key(r, rd):
    assert r.set('', '') is True
    assert r.get('') == b''
    assert rd.get('') == ''
    assert r.exists('') is True


def test_getitem_and_setitem(r):
    with pytest.raises(KeyError) as e:
        r['a']
    assert e.value.args == ('a',)
    r['a'] = 'x'
    assert r['a'] == b'x'
    # an empty value is present, not missing
    r['a'] = ''
    assert r['a'] == b''


def test_set_ex_px_int_and_timedelta(r):
    assert r.set('a', 1, ex=100) is True
    assert r.ttl('a') == 100
    assert r.set('a', 1, ex=datetime.timedelta(days=1, seconds=1)) is True
    assert r.ttl('a') == 86401
    assert r.set('a', 1, px=50000) is True
    assert 49000 < r.pttl('a') <= 50000
    assert r.set('a', 1, px=datetime.timedelta(seconds=20,
                                               milliseconds=250)) is True
    assert 19000 < r.pttl('a') <= 20250


def test_set_nx(r):
    assert r.set('a', 1, nx=True) is True
    assert r.set('a', 2, nx=True) is None
    assert r.get('a') == b'1'


def test_set_xx(r):
    assert r.set('a', 1, xx=True) is None
    assert r.get('a') is None
    r.set('a', 1)
    assert r.set('a', 2, xx=True) is True
    assert r.get('a') == b'2'


def test_set_nx_with_expiry(r):
    assert r.set('a', 1, ex=10, nx=True) is True
    assert r.ttl('a') == 10
    assert r.set('a', 1, ex=10, nx=True) is None


def test_set_nx_and_xx_together_is_a_response_error(r):
    with pytest.raises(ResponseError) as e:
        r.set('a', 1, nx=True, xx=True)
    assert str(e.value) == 'syntax error'


def test_set_invalid_expire_is_a_response_error(r):
    with pytest.raises(ResponseError) as e:
        r.set('a', 1, ex=0)
    assert str(e.value) == "invalid expire time in 'set' command"


def test_setex_and_psetex(r):
    assert r.setex('a', 60, 'x') is True
    assert r.get('a') == b'x'
    assert r.ttl('a') == 60
    assert r.setex('a', datetime.timedelta(minutes=2), 'y') is True
    assert r.ttl('a') == 120
    assert r.psetex('a', 30000, 'z') is True
    assert 29000 < r.pttl('a') <= 30000
    assert r.psetex('a', datetime.timedelta(seconds=9, microseconds=999999),
                    'w') is True
    assert 9000 < r.pttl('a') <= 9999
    assert r.get('a') == b'w'


def test_setnx(r):
    assert r.setnx('a', 1) is True
    assert r.setnx('a', 2) is False
    assert r.get('a') == b'1'


def test_getset(r):
    assert r.getset('a', 'one') is None
    assert r.getset('a', 'two') == b'one'
    assert r.get('a') == b'two'


def test_getset_decoded(rd):
    rd.set('a', UNICODE)
    assert rd.getset('a', 'x') == UNICODE


def test_get_of_wrong_type(r):
    r.rpush('l', 1)
    with pytest.raises(ResponseError) as e:
        r.get('l')
    assert str(e.value) == WRONGTYPE


# ---- counters ------------------------------------------------------------

def test_incr_family(r):
    assert r.incr('a') == 1
    assert r.incr('a', 10) == 11
    assert r.incrby('a') == 12
    assert r.incrby('a', -20) == -8
    assert r.decr('a') == -9
    assert r.decr('a', 3) == -12
    assert r.decr('b', 5) == -5
    assert r.get('a') == b'-12'
    assert type(r.incr('a')) is int


def test_incr_decoded_is_int(rd):
    assert rd.incr('a', 2) == 2
    assert type(rd.incr('a', 2)) is int


def test_incrbyfloat(r):
    value = r.incrbyfloat('a')
    assert value == 1.0 and type(value) is float
    assert r.incrbyfloat('a', 1.5) == 2.5
    assert r.incrbyfloat('a', -0.25) == 2.25
    assert r.incrbyfloat('a', 2) == 4.25
    assert r.get('a') == b'4.25'


def test_incrbyfloat_decoded(rd):
    value = rd.incrbyfloat('a', 0.5)
    assert value == 0.5 and type(value) is float


def test_incr_not_an_integer_is_a_response_error(r):
    r.set('a', 'x')
    with pytest.raises(ResponseError) as e:
        r.incr('a')
    assert str(e.value) == 'value is not an integer or out of range'
    with pytest.raises(ResponseError) as e:
        r.incrbyfloat('a')
    assert str(e.value) == 'value is not a valid float'


# ---- APPEND / STRLEN / ranges --------------------------------------------

def test_append(r):
    assert r.append('a', 'ab') == 2
    assert r.append('a', b'\x00\xff') == 4
    assert r.append('a', '') == 4
    assert r.get('a') == b'ab\x00\xff'


def test_strlen(r):
    assert r.strlen('a') == 0
    r.set('a', 'abc')
    assert r.strlen('a') == 3


def test_getrange_and_substr(r):
    r.set('a', 'hello world')
    assert r.getrange('a', 0, 4) == b'hello'
    assert r.getrange('a', -5, -1) == b'world'
    assert r.getrange('a', 20, 30) == b''
    assert r.getrange('missing', 0, 5) == b''
    assert r.substr('a', 6) == b'world'
    assert r.substr('a', 0, 0) == b'h'


def test_getrange_decoded(rd):
    rd.set('a', 'hello')
    assert rd.getrange('a', 1, 2) == 'el'
    assert rd.substr('a', 3) == 'lo'


def test_setrange(r):
    assert r.setrange('a', 5, 'xy') == 7
    assert r.get('a') == b'\x00\x00\x00\x00\x00xy'
    assert r.setrange('a', 0, 'ab') == 7
    assert r.get('a') == b'ab\x00\x00\x00xy'


# ---- MGET / MSET / MSETNX ------------------------------------------------

def test_mget_of_no_keys_is_a_response_error(r):
    with pytest.raises(ResponseError) as e:
        r.mget([])
    assert str(e.value) == "wrong number of arguments for 'mget' command"


def test_mget_forms(r):
    r.set('a', 1)
    r.set('b', 2)
    expected = [b'1', b'2', None]
    assert r.mget(['a', 'b', 'c']) == expected
    assert r.mget('a', 'b', 'c') == expected
    assert r.mget(('a', 'b'), 'c') == expected
    assert r.mget('a') == [b'1']
    assert r.mget(b'a') == [b'1']


def test_mget_decoded(rd):
    rd.set('a', UNICODE)
    assert rd.mget('a', 'missing') == [UNICODE, None]


def test_mset_dict_and_kwargs(r):
    assert r.mset({'a': 1, b'b': b'\xff'}) is True
    assert r.mget('a', 'b') == [b'1', b'\xff']
    assert r.mset(c='3', d=4) is True
    assert r.mget('c', 'd') == [b'3', b'4']
    assert r.mset({'e': 5}, f=6) is True
    assert r.mget('e', 'f') == [b'5', b'6']


@pytest.mark.parametrize('args', [('a', 1), (['a', 1],), ({'a': 1}, {'b': 2})])
def test_mset_needs_one_dict_raises_before_sending(offline, args):
    with pytest.raises(RedisError) as e:
        offline.mset(*args)
    assert str(e.value) == 'MSET requires **kwargs or a single dict arg'
    with pytest.raises(RedisError) as e:
        offline.msetnx(*args)
    assert str(e.value) == 'MSETNX requires **kwargs or a single dict arg'


def test_mset_nothing_is_a_response_error(r):
    with pytest.raises(ResponseError) as e:
        r.mset()
    assert str(e.value) == "wrong number of arguments for 'mset' command"


def test_msetnx(r):
    assert r.msetnx({'a': 1, 'b': 2}) is True
    assert r.msetnx(b=3, c=4) is False
    assert r.mget('a', 'b', 'c') == [b'1', b'2', None]


# ---- bits ----------------------------------------------------------------

def test_setbit_and_getbit(r):
    assert r.setbit('a', 7, 1) == 0
    assert r.setbit('a', 7, True) == 1
    assert r.get('a') == b'\x01'
    assert r.getbit('a', 7) == 1
    assert r.getbit('a', 6) == 0
    assert r.getbit('a', 1000) == 0
    # any truthy value sets the bit, any falsy one clears it
    assert r.setbit('a', 0, 'yes') == 0
    assert r.get('a') == b'\x81'
    assert r.setbit('a', 0, '') == 1
    assert r.setbit('a', 7, None) == 1
    assert r.get('a') == b'\x00'
    assert type(r.getbit('a', 0)) is int


def test_bitcount(r):
    assert r.bitcount('a') == 0
    r.set('a', b'\xff\x0f\x01')
    assert r.bitcount('a') == 13
    assert r.bitcount('a', 1, 2) == 5
    assert r.bitcount('a', -1, -1) == 1


@pytest.mark.parametrize('start, end', [(0, None), (None, 1)])
def test_bitcount_start_and_end_together_raises_before_sending(offline,
                                                                start, end):
    with pytest.raises(RedisError) as e:
        offline.bitcount('a', start, end)
    assert str(e.value) == 'Both start and end must be specified'


def test_bitop(r):
    r.set('a', b'\x0f\xf0')
    r.set('b', b'\xff')
    assert r.bitop('AND', 'and', 'a', 'b') == 2
    assert r.get('and') == b'\x0f\x00'
    assert r.bitop('OR', 'or', 'a', 'b') == 2
    assert r.get('or') == b'\xff\xf0'
    assert r.bitop('XOR', 'xor', 'a', 'b') == 2
    assert r.get('xor') == b'\xf0\xf0'
    assert r.bitop('NOT', 'not', 'a') == 2
    assert r.get('not') == b'\xf0\x0f'


def test_bitop_not_with_two_keys_is_a_response_error(r):
    with pytest.raises(ResponseError) as e:
        r.bitop('NOT', 'dest', 'a', 'b')
    assert str(e.value) == ('BITOP NOT must be called with a single source '
                            'key.')


def test_bitpos(r):
    r.set('a', b'\xff\xf0\x00')
    assert r.bitpos('a', 0) == 12
    assert r.bitpos('a', 1) == 0
    assert r.bitpos('a', 1, 1) == 8
    assert r.bitpos('a', 1, 2) == -1
    assert r.bitpos('a', 0, 0, 0) == -1
    assert r.bitpos('a', 1, 1, 2) == 8
    assert r.bitpos('missing', 0) == 0
    assert r.bitpos('missing', 1) == -1


def test_bitpos_checks_raise_before_sending(offline):
    with pytest.raises(RedisError) as e:
        offline.bitpos('a', 2)
    assert str(e.value) == 'bit must be 0 or 1'
    with pytest.raises(RedisError) as e:
        offline.bitpos('a', 1, end=3)
    assert str(e.value) == 'start argument is not set, when end is specified'
