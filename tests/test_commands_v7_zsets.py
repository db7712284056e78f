"""Sorted set commands and options added after Redis 3.0, against the
harness's real server, under both parsers, with bytes and with
decode_responses replies; 2.10.6's zadd forms keep their meaning."""
import pytest

import redis
from redis.exceptions import DataError, ResponseError

from checks import same
import v7fixtures
from v7fixtures import in_thread, wait_until_blocked

client = v7fixtures.client


def pairs(c, items):
    return [(c.conv(m), s) for m, s in items]


# ---- ZADD: today's mapping form beside 2.10.6's pairs -----------------------

def test_zadd_mapping_and_options(client):
    c = client
    same(c.zadd('z', {'a': 1, 'b': 2}), 2)
    same(c.zadd('z', {'a': 5, 'c': 3}, nx=True), 1)
    same(c.zscore('z', 'a'), 1.0)
    same(c.zadd('z', {'a': 5, 'd': 4}, xx=True), 0)
    same(c.zscore('z', 'a'), 5.0)
    same(c.zrange('z', 0, -1), [c.conv(b'b'), c.conv(b'c'), c.conv(b'a')])
    # ch counts updated members too
    same(c.zadd('z', {'a': 6, 'e': 1}, ch=True), 2)
    same(c.zadd('z', {'a': 1}, gt=True, ch=True), 0)
    same(c.zadd('z', {'a': 9}, gt=True, ch=True), 1)
    same(c.zadd('z', {'a': 10}, lt=True, ch=True), 0)
    same(c.zadd('z', {'a': 0.5}, lt=True, ch=True), 1)
    # incr: the new score, None when a condition stops it
    same(c.zadd('z', {'a': 2}, incr=True), 2.5)
    same(c.zadd('z', {'a': 2}, incr=True, nx=True), None)
    same(c.zadd('z', {'new': 2}, incr=True, xx=True), None)
    same(c.zadd('z', {'a': -10}, incr=True, gt=True), None)
    # today's positional order after the mapping: nx, xx, ch, incr, gt, lt
    same(c.zadd('z', {'a': 1}, False, False, False, True), 3.5)


def test_zadd_2106_forms_unchanged(r, rl):
    same(r.zadd('z', 1, 'a', 2, 'b'), 2)
    # a member named like an option, given by keyword: still a member
    same(r.zadd('z', nx=3, incr=4), 2)
    same(r.zrange('z', 0, -1, withscores=True),
         [(b'a', 1.0), (b'b', 2.0), (b'nx', 3.0), (b'incr', 4.0)])
    # the legacy class: name, score pairs; a mapping stays a 2.10.6 error
    same(rl.zadd('y', 'a', 1, 'b', 2), 2)
    same(rl.zrange('y', 0, -1, withscores=True), [(b'a', 1.0), (b'b', 2.0)])
    with pytest.raises(DataError):
        rl.zadd('y', {'a': 1})


def test_zadd_incr_in_a_pipeline(r):
    pipe = r.pipeline()
    pipe.zadd('z', {'a': 1})
    pipe.zadd('z', {'a': 1.5}, incr=True)
    pipe.zadd('z', {'a': 1}, incr=True, nx=True)
    pipe.zadd('z', 1, 'b')
    same(pipe.execute(), [1, 2.5, None, 1])


# ---- ZRANGE options / ZRANGESTORE ----------------------------------------------

def fill(c):
    c.zadd('z', {'a': 1, 'b': 2, 'c': 3, 'd': 4})


def test_zrange_byscore_bylex_rev_limit(client):
    c = client
    fill(c)
    same(c.zrange('z', 2, 3, byscore=True), [c.conv(b'b'), c.conv(b'c')])
    same(c.zrange('z', '(1', '+inf', byscore=True, withscores=True),
         pairs(c, [(b'b', 2.0), (b'c', 3.0), (b'd', 4.0)]))
    same(c.zrange('z', 4, 1, byscore=True, desc=True, offset=1, num=2),
         [c.conv(b'c'), c.conv(b'b')])
    same(c.zrange('z', '[b', '(d', bylex=True), [c.conv(b'b'), c.conv(b'c')])
    same(c.zrange('z', '+', '-', bylex=True, desc=True, offset=0, num=1),
         [c.conv(b'd')])
    same(c.zrange('z', 1, 2, byscore=True, withscores=True,
                  score_cast_func=int), pairs(c, [(b'a', 1), (b'b', 2)]))
    # 2.10.6's forms
    same(c.zrange('z', 0, 1, desc=True), [c.conv(b'd'), c.conv(b'c')])
    same(c.zrange('z', 0, 0, withscores=True), pairs(c, [(b'a', 1.0)]))


def test_zrangestore(client):
    c = client
    fill(c)
    same(c.zrangestore('dst', 'z', 0, 1), 2)
    same(c.zrange('dst', 0, -1), [c.conv(b'a'), c.conv(b'b')])
    same(c.zrangestore('dst', 'z', 3, 2, byscore=True, desc=True), 2)
    same(c.zrange('dst', 0, -1), [c.conv(b'b'), c.conv(b'c')])
    same(c.zrangestore('dst', 'z', '-', '+', bylex=True, offset=1, num=2), 2)
    same(c.zrange('dst', 0, -1), [c.conv(b'b'), c.conv(b'c')])
    same(c.zrangestore('dst', 'missing', 0, -1), 0)


# ---- ZPOPMIN / ZPOPMAX / BZPOPMIN / BZPOPMAX ---------------------------------------

def test_zpopmin_zpopmax(client):
    c = client
    fill(c)
    same(c.zpopmin('z'), pairs(c, [(b'a', 1.0)]))
    same(c.zpopmax('z', 2), pairs(c, [(b'd', 4.0), (b'c', 3.0)]))
    same(c.zpopmin('z', 5), pairs(c, [(b'b', 2.0)]))
    same(c.zpopmin('z'), [])
    same(c.zpopmax('z'), [])


def test_bzpopmin_bzpopmax(client):
    c = client
    fill(c)
    same(c.bzpopmin(['missing', 'z'], 1), (c.conv(b'z'), c.conv(b'a'), 1.0))
    same(c.bzpopmax('z'), (c.conv(b'z'), c.conv(b'd'), 4.0))
    same(c.bzpopmin('missing', timeout=0.01), None)
    same(c.bzpopmax(['missing'], 0.01), None)


def test_bzpopmax_wakes_on_zadd(make_client):
    waiter = make_client()
    other = make_client()
    join = in_thread(lambda: waiter.bzpopmax('z', 0))
    wait_until_blocked(other, 'bzpopmax')
    other.zadd('z', {'m': 7})
    same(join(), (b'z', b'm', 7.0))


# ---- ZMPOP / BZMPOP -----------------------------------------------------------------

def test_zmpop_bzmpop(client):
    c = client
    fill(c)
    same(c.zmpop(2, ['missing', 'z'], min=True),
         [c.conv(b'z'), [[c.conv(b'a'), 1.0]]])
    same(c.zmpop(1, ['z'], max=True, count=2),
         [c.conv(b'z'), [[c.conv(b'd'), 4.0], [c.conv(b'c'), 3.0]]])
    same(c.zmpop(1, ['missing'], min=True), None)
    same(c.bzmpop(1, 1, ['z'], min=True, count=9),
         [c.conv(b'z'), [[c.conv(b'b'), 2.0]]])
    same(c.bzmpop(0.01, 2, ['z', 'missing'], max=True), None)


# ---- ZDIFF / ZINTER / ZUNION / ZINTERCARD ----------------------------------------------

def test_zdiff_zinter_zunion(client):
    c = client
    c.zadd('x', {'a': 1, 'b': 2, 'c': 3})
    c.zadd('y', {'b': 10, 'd': 5})
    same(c.zdiff(['x', 'y']), [c.conv(b'a'), c.conv(b'c')])
    same(c.zdiff(['x', 'y'], withscores=True),
         pairs(c, [(b'a', 1.0), (b'c', 3.0)]))
    same(c.zdiffstore('dst', ['x', 'y']), 2)
    same(c.zrange('dst', 0, -1), [c.conv(b'a'), c.conv(b'c')])
    same(c.zinter(['x', 'y']), [c.conv(b'b')])
    same(c.zinter(['x', 'y'], withscores=True), pairs(c, [(b'b', 12.0)]))
    same(c.zinter({'x': 2, 'y': 1}, aggregate='MIN', withscores=True),
         pairs(c, [(b'b', 4.0)]))
    same(c.zunion(['x', 'y']), [c.conv(b'a'), c.conv(b'c'), c.conv(b'd'),
                                c.conv(b'b')])
    same(c.zunion(['x', 'y'], aggregate='MAX', withscores=True,
                  score_cast_func=int),
         pairs(c, [(b'a', 1), (b'c', 3), (b'd', 5), (b'b', 10)]))
    same(c.zintercard(2, ['x', 'y']), 1)
    same(c.zintercard(1, ['x'], limit=2), 2)
    # 2.10.6's zinterstore/zunionstore unchanged
    same(c.zunionstore('u', {'x': 1, 'y': 2}, aggregate='SUM'), 4)
    same(c.zscore('u', 'b'), 22.0)


# ---- ZMSCORE / ZRANDMEMBER -------------------------------------------------------------

def test_zmscore(client):
    c = client
    fill(c)
    same(c.zmscore('z', ['b', 'nope', 'd']), [2.0, None, 4.0])
    same(c.zmscore('missing', ['a']), [None])


def test_zrandmember(client):
    c = client
    fill(c)
    members = [c.conv(m) for m in (b'a', b'b', b'c', b'd')]
    assert c.zrandmember('z') in members
    got = c.zrandmember('z', 2)
    assert len(got) == 2 and set(got) <= set(members)
    same(len(c.zrandmember('z', -6)), 6)
    got = c.zrandmember('z', 4, withscores=True)
    same(sorted(got), pairs(c, [(b'a', 1.0), (b'b', 2.0), (b'c', 3.0),
                               (b'd', 4.0)]))
    same(c.zrandmember('missing'), None)
    same(c.zrandmember('missing', 2), [])


# ---- argument checks and servers without the command -----------------------------------

@pytest.mark.parametrize('method, args, kwargs', [
    ('zadd', ('z', {}), {}),
    ('zadd', ('z', {'a': 1}), {'nx': True, 'xx': True}),
    ('zadd', ('z', {'a': 1}), {'gt': True, 'lt': True}),
    ('zadd', ('z', {'a': 1}), {'nx': True, 'gt': True}),
    ('zadd', ('z', {'a': 1, 'b': 2}), {'incr': True}),
    ('zadd', ('z', {'a': 1}), {'bogus': True}),
    ('zadd', ('z', {'a': 1}, 1, 2, 3, 4, 5, 6, 7), {}),
    ('zadd', ('z', {'a': 1}, True), {'nx': True}),
    ('zrange', ('z', 0, 1), {'byscore': True, 'bylex': True}),
    ('zrange', ('z', 0, 1), {'byscore': True, 'offset': 1}),
    ('zrange', ('z', 0, 1), {'offset': 0, 'num': 1}),
    ('zrange', ('z', '-', '+'), {'bylex': True, 'withscores': True}),
    ('zrangestore', ('d', 'z', 0, 1), {'num': 1, 'bylex': True}),
    ('zmpop', (1, ['z']), {}),
    ('zmpop', (1, ['z']), {'min': True, 'max': True}),
    ('zmpop', (2, ['z']), {'min': True}),
    ('zmpop', (0, []), {'min': True}),
    ('bzmpop', (1, 1, ['z']), {}),
    ('zintercard', (3, ['a', 'b']), {}),
    ('zmscore', ('z', []), {}),
    ('zrandmember', ('z',), {'withscores': True}),
])
def test_bad_arguments_raise_data_error(offline, method, args, kwargs):
    with pytest.raises(DataError):
        getattr(offline, method)(*args, **kwargs)


def test_server_without_zmpop_gives_its_own_error(make_server, parser_class):
    # as a server older than 7.0 would
    server = make_server(extra_args=['--rename-command', 'ZMPOP', ''])
    c = server.client(parser_class=parser_class)
    try:
        c.zadd('z', {'a': 1})
        with pytest.raises(ResponseError, match='unknown command'):
            c.zmpop(1, ['z'], min=True)
        same(c.zpopmin('z'), [(b'a', 1.0)])
    finally:
        c.connection_pool.disconnect()


def test_legacy_class_has_the_new_methods(rl):
    rl.zadd('z', 'a', 1)
    same(rl.zpopmin('z'), [(b'a', 1.0)])
    assert isinstance(rl, redis.StrictRedis)
