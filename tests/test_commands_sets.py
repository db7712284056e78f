"""Set commands against a real server."""
import pytest

from redis.exceptions import ResponseError

WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value'
ALL_BYTES = bytes(range(256))
UNICODE = 'Ünïcödé ✓ 中文 \U0001f600'


def test_sadd_scard_smembers(r):
    assert r.smembers('a') == set()
    assert type(r.smembers('a')) is set
    assert r.sadd('a', 1, 2, 2) == 2
    assert r.sadd('a', 2, 3) == 1
    assert r.scard('a') == 3
    assert r.scard('missing') == 0
    members = r.smembers('a')
    assert type(members) is set
    assert members == {b'1', b'2', b'3'}


def test_smembers_decoded(rd):
    rd.sadd('a', UNICODE, '')
    assert rd.smembers('a') == {UNICODE, ''}


def test_binary_members(r):
    members = [bytes([i]) for i in range(256)] + [b'', ALL_BYTES]
    assert r.sadd(ALL_BYTES, *members) == 258
    assert r.smembers(ALL_BYTES) == set(members)
    assert r.sismember(ALL_BYTES, ALL_BYTES) is True


def test_large_member(r):
    value = ALL_BYTES * (4096 + 3)   # just over 1 MiB
    r.sadd('a', value)
    assert r.smembers('a') == {value}
    assert r.spop('a') == value


def test_sismember(r):
    r.sadd('a', 'x')
    assert r.sismember('a', 'x') is True
    assert r.sismember('a', 'y') is False
    assert r.sismember('missing', 'x') is False


def test_srem(r):
    r.sadd('a', 1, 2, 3)
    assert r.srem('a', 1, 4) == 1
    assert r.srem('a', 2, 3) == 2
    assert r.exists('a') is False
    assert r.srem('a', 1) == 0


def test_smove(r):
    r.sadd('a', 'x', 'y')
    assert r.smove('a', 'b', 'x') is True
    assert r.smove('a', 'b', 'nope') is False
    assert r.smembers('a') == {b'y'}
    assert r.smembers('b') == {b'x'}


def test_spop(r):
    assert r.spop('a') is None
    r.sadd('a', 'x', 'y')
    popped = {r.spop('a'), r.spop('a')}
    assert popped == {b'x', b'y'}
    assert r.exists('a') is False


def test_spop_decoded(rd):
    rd.sadd('a', UNICODE)
    assert rd.spop('a') == UNICODE


def test_srandmember(r):
    assert r.srandmember('a') is None
    assert r.srandmember('a', 2) == []
    r.sadd('a', 1, 2, 3)
    assert r.srandmember('a') in {b'1', b'2', b'3'}
    two = r.srandmember('a', 2)
    assert type(two) is list and len(set(two)) == 2
    assert set(two) <= {b'1', b'2', b'3'}
    assert sorted(r.srandmember('a', 10)) == [b'1', b'2', b'3']
    # a negative count may repeat members
    assert len(r.srandmember('a', -5)) == 5
    assert r.srandmember('a', 0) == []
    assert r.scard('a') == 3


def test_sdiff_sinter_sunion(r):
    r.sadd('a', 1, 2, 3)
    r.sadd('b', 2, 3, 4)
    r.sadd('c', 3, 5)
    assert r.sdiff('a', 'b') == {b'1'}
    assert r.sdiff(['a', 'b', 'c']) == {b'1'}
    assert r.sinter('a', 'b') == {b'2', b'3'}
    assert r.sinter(['a', 'b'], 'c') == {b'3'}
    assert r.sunion('a', 'c') == {b'1', b'2', b'3', b'5'}
    assert r.sunion(('a', 'b', 'c')) == {b'1', b'2', b'3', b'4', b'5'}


def test_set_algebra_single_key_forms(r):
    r.sadd('a', 1)
    assert r.sunion('a') == {b'1'}
    assert r.sunion(b'a') == {b'1'}
    assert r.sinter(['a']) == {b'1'}


def test_set_algebra_empty_results_are_empty_sets(r):
    r.sadd('a', 1)
    for result in (r.sdiff('a', 'a'), r.sinter('a', 'missing'),
                   r.sunion('missing')):
        assert result == set() and type(result) is set


def test_set_algebra_decoded(rd):
    rd.sadd('a', 'é', 'x')
    rd.sadd('b', 'é')
    assert rd.sinter('a', 'b') == {'é'}
    assert rd.sdiff('a', 'b') == {'x'}
    assert rd.sunion('a', 'b') == {'é', 'x'}


def test_store_variants(r):
    r.sadd('a', 1, 2, 3)
    r.sadd('b', 2, 3, 4)
    assert r.sdiffstore('d', 'a', 'b') == 1
    assert r.smembers('d') == {b'1'}
    assert r.sinterstore('i', ['a', 'b']) == 2
    assert r.smembers('i') == {b'2', b'3'}
    assert r.sunionstore('u', ['a'], 'b') == 4
    assert r.smembers('u') == {b'1', b'2', b'3', b'4'}
    assert r.sinterstore('i', 'a', 'missing') == 0
    assert r.exists('i') is False


def test_set_command_on_wrong_type(r):
    r.set('s', 1)
    with pytest.raises(ResponseError) as e:
        r.sadd('s', 1)
    assert str(e.value) == WRONGTYPE
    with pytest.raises(ResponseError) as e:
        r.sunion('s', 'x')
    assert str(e.value) == WRONGTYPE


def test_sadd_without_members_is_a_response_error(r):
    with pytest.raises(ResponseError) as e:
        r.sadd('a')
    assert str(e.value) == "wrong number of arguments for 'sadd' command"
