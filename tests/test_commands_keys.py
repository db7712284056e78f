"""Key commands against a real server: DEL, DUMP/RESTORE, EXISTS, EXPIRE*,
KEYS, MOVE, OBJECT, PERSIST, PTTL/TTL, RANDOMKEY, RENAME*, SORT, TOUCH,
TYPE, and the client-side WATCH/UNWATCH stubs."""
import datetime
import time

import pytest

from redis.exceptions import DataError, RedisError, ResponseError

WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value'


# ---- DEL / EXISTS --------------------------------------------------------

def test_delete_returns_number_deleted(r):
    r.set('a', 1)
    r.set('b', 2)
    assert r.delete('a', 'b', 'missing') == 2
    assert r.delete('a') == 0
    assert r.get('a') is None


def test_delitem(r):
    r['a'] = 'x'
    del r['a']
    assert r.get('a') is None
    # deleting a missing key is not an error, as in 2.10.6
    del r['a']


def test_exists_and_contains_are_booleans(r):
    assert r.exists('a') is False
    assert ('a' in r) is False
    r.set('a', '')
    assert r.exists('a') is True
    assert ('a' in r) is True
    assert (b'a' in r) is True


# ---- DUMP / RESTORE ------------------------------------------------------

def test_dump_missing_is_none(r):
    assert r.dump('missing') is None


def test_dump_restore_round_trip_binary(r):
    value = bytes(range(256))
    r.set('a', value)
    dumped = r.dump('a')
    assert isinstance(dumped, bytes)
    assert r.restore('b', 0, dumped) == b'OK'
    assert r.get('b') == value
    assert r.ttl('b') == -1


def test_restore_with_ttl(r):
    r.rpush('a', 1, 2)
    dumped = r.dump('a')
    r.restore('b', 100000, dumped)
    assert 0 < r.pttl('b') <= 100000
    assert r.lrange('b', 0, -1) == [b'1', b'2']


def test_restore_existing_key_needs_replace(r):
    r.set('a', 'old')
    r.set('b', 'new')
    dumped = r.dump('b')
    with pytest.raises(ResponseError) as e:
        r.restore('a', 0, dumped)
    assert str(e.value) == 'BUSYKEY Target key name already exists.'
    assert r.restore('a', 0, dumped, replace=True) == b'OK'
    assert r.get('a') == b'new'


def test_restore_garbage_is_a_response_error(r):
    with pytest.raises(ResponseError) as e:
        r.restore('a', 0, b'not a dump')
    assert str(e.value) == 'DUMP payload version or checksum are wrong'


# ---- EXPIRE family -------------------------------------------------------

def test_expire_int_and_timedelta(r):
    assert r.expire('a', 10) is False
    r.set('a', 1)
    assert r.expire('a', 10) is True
    assert r.ttl('a') == 10
    assert r.expire('a', datetime.timedelta(days=1, seconds=5,
                                            microseconds=999999)) is True
    assert r.ttl('a') == 86405


def test_expire_zero_deletes(r):
    r.set('a', 1)
    assert r.expire('a', 0) is True
    assert r.exists('a') is False


def test_expireat_int_and_naive_datetime(r):
    r.set('a', 1)
    assert r.expireat('a', int(time.time()) + 100) is True
    assert 98 <= r.ttl('a') <= 100
    when = datetime.datetime.now() + datetime.timedelta(minutes=1)
    assert r.expireat('a', when) is True
    assert 58 <= r.ttl('a') <= 60
    assert r.expireat('missing', when) is False


def test_expireat_aware_datetime_honours_timezone(r):
    r.set('a', 1)
    tz = datetime.timezone(datetime.timedelta(hours=5))
    when = datetime.datetime.now(tz) + datetime.timedelta(minutes=1)
    assert r.expireat('a', when) is True
    assert 58 <= r.ttl('a') <= 60


def test_pexpire_int_and_timedelta(r):
    # 2.10.6 had no bool callback for PEXPIRE*: the server's 0/1 comes back
    assert r.pexpire('a', 10000) == 0
    r.set('a', 1)
    assert r.pexpire('a', 60000) == 1
    assert type(r.pexpire('a', 60000)) is int
    assert 59000 < r.pttl('a') <= 60000
    assert r.pexpire('a', datetime.timedelta(seconds=30,
                                             microseconds=500999)) == 1
    assert 29000 < r.pttl('a') <= 30500


def test_pexpireat_int_and_datetime(r):
    r.set('a', 1)
    assert r.pexpireat('a', int(time.time() * 1000) + 60000) == 1
    assert 59000 < r.pttl('a') <= 60000
    when = datetime.datetime.now() + datetime.timedelta(seconds=30)
    assert r.pexpireat('a', when) == 1
    assert 29000 < r.pttl('a') <= 30000
    assert r.pexpireat('missing', when) == 0


def test_persist(r):
    assert r.persist('a') is False
    r.set('a', 1, ex=100)
    assert r.persist('a') is True
    assert r.persist('a') is False
    assert r.ttl('a') == -1


def test_ttl_and_pttl_of_missing_and_persistent_keys(r):
    assert r.ttl('a') == -2
    assert r.pttl('a') == -2
    r.set('a', 1)
    assert r.ttl('a') == -1
    assert r.pttl('a') == -1


# ---- KEYS / RANDOMKEY / TYPE / TOUCH -------------------------------------

def test_keys(r):
    assert r.keys() == []
    r.mset({'test_a': 1, 'test_b': 2, 'other': 3})
    keys = r.keys()
    assert all(isinstance(k, bytes) for k in keys)
    assert sorted(keys) == [b'other', b'test_a', b'test_b']
    assert sorted(r.keys(pattern='test_*')) == [b'test_a', b'test_b']
    assert r.keys('nothing*') == []


def test_keys_decoded(rd):
    rd.set('ключ', 1)
    assert rd.keys() == ['ключ']


def test_keys_binary(r):
    key = bytes(range(256))
    r.set(key, 1)
    assert r.keys() == [key]


def test_randomkey(r):
    assert r.randomkey() is None
    r.set('a', 1)
    assert r.randomkey() == b'a'


def test_randomkey_decoded(rd):
    rd.set('a', 1)
    assert rd.randomkey() == 'a'


def test_type(r):
    assert r.type('a') == b'none'
    r.set('a', 1)
    r.rpush('l', 1)
    r.sadd('s', 1)
    assert r.type('a') == b'string'
    assert r.type('l') == b'list'
    assert r.type('s') == b'set'


def test_type_decoded(rd):
    rd.sadd('s', 1)
    assert rd.type('s') == 'set'


def test_touch(r):
    r.set('a', 1)
    r.set('b', 1)
    assert r.touch('a', 'b', 'missing') == 2
    assert r.touch('missing') == 0


# ---- OBJECT --------------------------------------------------------------

def test_object(r):
    r.set('a', 'some text')
    r.set('n', 12345)
    assert r.object('encoding', 'a') == b'embstr'
    assert r.object('encoding', 'n') == b'int'
    refcount = r.object('refcount', 'a')
    assert isinstance(refcount, int) and refcount >= 1
    idle = r.object('idletime', 'a')
    assert isinstance(idle, int) and idle >= 0


def test_object_decoded(rd):
    rd.set('a', 'text')
    encoding = rd.object('encoding', 'a')
    assert encoding == 'embstr' and type(encoding) is str


def test_object_missing_key(r):
    assert r.object('refcount', 'missing') is None
    assert r.object('encoding', 'missing') is None


# ---- MOVE ----------------------------------------------------------------

def test_move(r, make_client):
    other = make_client(db=1)
    assert r.move('a', 1) is False
    r.set('a', 'x')
    assert r.move('a', 1) is True
    assert r.exists('a') is False
    assert other.get('a') == b'x'
    r.set('a', 'y')
    # the target already has it: nothing moves
    assert r.move('a', 1) is False
    assert other.get('a') == b'x'


# ---- RENAME --------------------------------------------------------------

def test_rename(r):
    r.set('a', 1)
    assert r.rename('a', 'b') is True
    assert r.get('a') is None
    assert r.get('b') == b'1'


def test_rename_missing_key_is_a_response_error(r):
    with pytest.raises(ResponseError) as e:
        r.rename('missing', 'b')
    assert str(e.value) == 'no such key'


def test_renamenx(r):
    r.set('a', 1)
    r.set('b', 2)
    assert r.renamenx('a', 'b') is False
    assert r.renamenx('a', 'c') is True
    assert r.get('c') == b'1'
    assert r.get('b') == b'2'


# ---- SORT ----------------------------------------------------------------

def test_sort_basic(r):
    assert r.sort('missing') == []
    r.rpush('a', 3, 2, 1, 4)
    assert r.sort('a') == [b'1', b'2', b'3', b'4']


def test_sort_limited(r):
    r.rpush('a', 3, 2, 1, 4)
    assert r.sort('a', start=1, num=2) == [b'2', b'3']
    assert r.sort('a', start=0, num=0) == []


def test_sort_start_without_num_raises_before_sending(offline):
    with pytest.raises(RedisError) as e:
        offline.sort('a', start=1)
    assert str(e.value) == '``start`` and ``num`` must both be specified'
    with pytest.raises(RedisError):
        offline.sort('a', num=1)


def test_sort_by(r):
    r.mset({'score:1': 8, 'score:2': 3, 'score:3': 5})
    r.rpush('a', '3', '2', '1')
    assert r.sort('a', by='score:*') == [b'2', b'3', b'1']


def test_sort_get(r):
    r.mset({'user:1': 'u1', 'user:2': 'u2', 'user:3': 'u3'})
    r.rpush('a', '2', '3', '1')
    assert r.sort('a', get='user:*') == [b'u1', b'u2', b'u3']
    assert r.sort('a', get=b'user:*') == [b'u1', b'u2', b'u3']


def test_sort_get_multiple_flat(r):
    r.mset({'user:1': 'u1', 'user:2': 'u2'})
    r.rpush('a', '2', '1')
    assert r.sort('a', get=('user:*', '#')) == [b'u1', b'1', b'u2', b'2']


def test_sort_get_missing_values_are_none(r):
    r.rpush('a', '2', '1')
    r.set('user:1', 'u1')
    assert r.sort('a', get='user:*') == [b'u1', None]


def test_sort_groups(r):
    r.mset({'user:1': 'u1', 'user:2': 'u2', 'door:1': 'd1', 'door:2': 'd2'})
    r.rpush('a', '2', '1')
    assert r.sort('a', get=['user:*', 'door:*', '#'], groups=True) == [
        (b'u1', b'd1', b'1'), (b'u2', b'd2', b'2')]


def test_sort_groups_decoded(rd):
    rd.mset({'user:1': 'ü1', 'user:2': 'ü2'})
    rd.rpush('a', '2', '1')
    assert rd.sort('a', get=['user:*', '#'], groups=True) == [
        ('ü1', '1'), ('ü2', '2')]


def test_sort_groups_of_empty_list(r):
    assert r.sort('missing', get=['a:*', '#'], groups=True) == []


@pytest.mark.parametrize('get', [None, 'user:*', b'user:*', ['user:*']])
def test_sort_groups_needs_two_gets_raises_before_sending(offline, get):
    with pytest.raises(DataError) as e:
        offline.sort('a', get=get, groups=True)
    assert str(e.value) == ('when using "groups" the "get" argument must be '
                            'specified and contain at least two keys')


def test_sort_desc_and_alpha(r):
    r.rpush('a', 'e', 'c', 'b', 'd', 'a')
    assert r.sort('a', alpha=True) == [b'a', b'b', b'c', b'd', b'e']
    assert r.sort('a', alpha=True, desc=True) == [b'e', b'd', b'c', b'b', b'a']
    r.rpush('n', 2, 3, 1)
    assert r.sort('n', desc=True) == [b'3', b'2', b'1']


def test_sort_non_numeric_without_alpha_is_a_response_error(r):
    r.rpush('a', 'x', 'y')
    with pytest.raises(ResponseError) as e:
        r.sort('a')
    assert str(e.value) == "One or more scores can't be converted into double"


def test_sort_store(r):
    r.rpush('a', 2, 3, 1)
    assert r.sort('a', store='sorted') == 3
    assert r.lrange('sorted', 0, -1) == [b'1', b'2', b'3']


def test_sort_everything_together(r):
    r.mset({'w:a': 3, 'w:b': 1, 'w:c': 2, 'v:a': 'A', 'v:b': 'B', 'v:c': 'C'})
    r.sadd('s', 'a', 'b', 'c')
    assert r.sort('s', start=0, num=2, by='w:*', get=['v:*', '#'],
                  desc=True, alpha=True, groups=True) == [
        (b'A', b'a'), (b'C', b'c')]
    assert r.sort('s', start=0, num=2, by='w:*', get='v:*', desc=True,
                  store='out') == 2
    assert r.lrange('out', 0, -1) == [b'A', b'C']


def test_sort_of_wrong_type(r):
    r.set('a', 1)
    with pytest.raises(ResponseError) as e:
        r.sort('a')
    assert str(e.value) == WRONGTYPE


# ---- WATCH / UNWATCH -----------------------------------------------------

def test_watch_and_unwatch_only_warn(offline):
    # on a pooled client WATCH would bind to whichever connection ran it, so
    # 2.10.6 only warned; pipelines implement the real thing
    with pytest.warns(DeprecationWarning):
        assert offline.watch('a', 'b') is None
    with pytest.warns(DeprecationWarning):
        assert offline.unwatch() is None


# ---- the legacy Redis class --------------------------------------------

def test_legacy_ttl_and_pttl_are_none_without_expiry(rl):
    assert rl.ttl('a') is None
    assert rl.pttl('a') is None
    rl.set('a', 1)
    assert rl.ttl('a') is None
    assert rl.pttl('a') is None
    rl.expire('a', 100)
    assert rl.ttl('a') == 100
    assert 99000 < rl.pttl('a') <= 100000
