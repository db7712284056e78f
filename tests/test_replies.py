"""Unit tests of the reply conversions in redis.replies and of its
RESPONSE_CALLBACKS tables (the server, sentinel and cluster parsers are
tested in test_replies_server.py).

Inputs are literal replies as the readers produce them (bytes, or str with
decode_responses=True); the last test feeds replies fetched over a raw
socket from the harness's server.
"""
import datetime

import pytest

import redis.client
from redis import replies, replies_server
from redis.replies import (
    LEGACY_RESPONSE_CALLBACKS, RESPONSE_CALLBACKS, bool_ok, dict_merge,
    float_or_none, int_or_none, list_or_args, nativestr, pairs_to_dict,
    parse_client_list, parse_cluster_info, parse_cluster_nodes,
    parse_config_get, parse_debug_object, parse_georadius_generic,
    parse_hscan, parse_info, parse_object, parse_pubsub_numsub, parse_scan,
    parse_sentinel_get_master, parse_sentinel_master, parse_sentinel_masters,
    parse_sentinel_slaves_and_sentinels, parse_slowlog_get, parse_zscan,
    sort_return_tuples, string_keys_to_dict, timestamp_to_datetime,
    zset_score_pairs,
)

from checks import as_str


@pytest.fixture(params=['bytes', 'str'])
def reply(request):
    "Turns a bytes literal reply into the reply of the mode under test"
    return (lambda r: r) if request.param == 'bytes' else as_str


def test_exports():
    # 2.10.6 had all of these at module level in redis.client
    for name in replies.__all__:
        value = getattr(replies, name)
        assert getattr(redis.client, name) is value, name
        if hasattr(replies_server, name):
            assert getattr(replies_server, name) is value, name
    assert callable(redis.client._parse_node_line)
    assert isinstance(redis.client.SENTINEL_STATE_TYPES, dict)


# ---- small helpers ----------------------------------------------------------

def test_list_or_args():
    keys = ['a', 'b']
    assert list_or_args(keys, ('c',)) == ['a', 'b', 'c']
    assert keys == ['a', 'b'], 'the caller list must not be extended'
    assert list_or_args('a', ()) == ['a']
    assert list_or_args(b'a', (b'b',)) == [b'a', b'b']
    assert list_or_args(bytearray(b'a'), ()) == [bytearray(b'a')]
    assert list_or_args(('a', 'b'), ['c']) == ['a', 'b', 'c']
    assert list_or_args(5, (6,)) == [5, 6]
    assert list_or_args((k for k in 'xy'), ()) == ['x', 'y']


def test_nativestr():
    assert nativestr(b'abc') == 'abc'
    assert nativestr('abc') == 'abc'
    assert nativestr('\u20ac'.encode()) == '\u20ac'


def test_timestamp_to_datetime(reply):
    expected = datetime.datetime.fromtimestamp(1700000000)
    assert timestamp_to_datetime(reply(b'1700000000')) == expected
    assert timestamp_to_datetime(1700000000) == expected
    for empty in (None, 0, reply(b''), reply(b'soon')):
        assert timestamp_to_datetime(empty) is None


def test_string_keys_to_dict_and_dict_merge():
    assert string_keys_to_dict('A B\n C', int) == {'A': int, 'B': int,
                                                  'C': int}
    first, second = {'a': 1, 'b': 1}, {'b': 2}
    assert dict_merge(first, second, {'c': 3}) == {'a': 1, 'b': 2, 'c': 3}
    assert first == {'a': 1, 'b': 1}


def test_pairs_to_dict(reply):
    assert pairs_to_dict(reply([b'a', b'1', b'b', b'2'])) == {
        reply(b'a'): reply(b'1'), reply(b'b'): reply(b'2')}
    assert pairs_to_dict([]) == {}


def test_zset_score_pairs(reply):
    raw = reply([b'a', b'1.5', b'b', b'2'])
    assert zset_score_pairs(raw, withscores=False) is raw
    assert zset_score_pairs(raw) is raw
    assert zset_score_pairs(raw, withscores=True) == [
        (reply(b'a'), 1.5), (reply(b'b'), 2.0)]
    assert zset_score_pairs(reply([b'a', b'3']), withscores=True,
                            score_cast_func=int) == [(reply(b'a'), 3)]
    assert zset_score_pairs([], withscores=True) == []


def test_sort_return_tuples():
    raw = ['a', '1', 'x', 'b', '2', 'y']
    assert sort_return_tuples(raw, groups=None) is raw
    assert sort_return_tuples(raw, groups=3) == [('a', '1', 'x'),
                                                 ('b', '2', 'y')]
    assert sort_return_tuples(raw, groups=2) == [('a', '1'), ('x', 'b'),
                                                 ('2', 'y')]
    assert sort_return_tuples([], groups=2) == []


def test_int_float_bool_helpers(reply):
    assert int_or_none(None) is None
    assert int_or_none(reply(b'12')) == 12
    assert float_or_none(None) is None
    assert float_or_none(reply(b'1.25')) == 1.25
    assert bool_ok(reply(b'OK')) is True
    assert bool_ok(reply(b'QUEUED')) is False
    assert bool_ok(None) is False


# ---- other replies ----------------------------------------------------------

def test_parse_object(reply):
    assert parse_object(7, infotype='idletime') == 7
    assert parse_object(reply(b'3'), infotype='refcount') == 3
    assert parse_object(None, infotype='idletime') is None
    raw = reply(b'listpack')
    assert parse_object(raw, infotype='encoding') is raw


def test_parse_config_get(reply):
    result = parse_config_get(reply([
        b'maxmemory-policy', b'noeviction', b'maxmemory', b'0',
        b'save', b'']))
    assert result == {'maxmemory-policy': 'noeviction', 'maxmemory': '0',
                      'save': ''}
    assert all(type(k) is str and type(v) is str for k, v in result.items())
    assert parse_config_get([]) == {}


def test_scans(reply):
    cursor, keys = parse_scan(reply([b'17', [b'a', b'b']]))
    assert (cursor, keys) == (17, reply([b'a', b'b']))
    assert type(cursor) is int
    assert parse_hscan(reply([b'0', [b'f', b'v']])) == (
        0, {reply(b'f'): reply(b'v')})
    assert parse_hscan(reply([b'0', []])) == (0, {})
    assert parse_zscan(reply([b'0', [b'a', b'1.5', b'b', b'2']])) == (
        0, [(reply(b'a'), 1.5), (reply(b'b'), 2.0)])
    assert parse_zscan(reply([b'3', [b'a', b'7']]), score_cast_func=int) == (
        3, [(reply(b'a'), 7)])


def test_parse_pubsub_numsub(reply):
    assert parse_pubsub_numsub(reply([b'a', 0, b'b', 2])) == [
        (reply(b'a'), 0), (reply(b'b'), 2)]
    assert parse_pubsub_numsub([]) == []


# ---- geo --------------------------------------------------------------------

GEO_PLACES = [
    # name, dist, hash, coordinates
    (b'Palermo', b'190.4424', 3479099956230698,
     [b'13.36138933897018433', b'38.11555639549629859']),
    (b'Catania', b'56.4413', 3479447370796909,
     [b'15.08726745843887329', b'37.50266842333162032']),
]


@pytest.mark.parametrize('withdist', [False, True])
@pytest.mark.parametrize('withhash', [False, True])
@pytest.mark.parametrize('withcoord', [False, True])
def test_parse_georadius_generic(reply, withdist, withhash, withcoord):
    options = dict(withdist=withdist, withhash=withhash,
                   withcoord=withcoord, store=None, store_dist=None)
    if not (withdist or withhash or withcoord):
        raw = reply([place[0] for place in GEO_PLACES])
        assert parse_georadius_generic(raw, **options) == [
            'Palermo', 'Catania']
        return
    # the server answers the parts asked for in this order
    raw = []
    for name, dist, geohash, coord in GEO_PLACES:
        item = [name]
        if withdist:
            item.append(dist)
        if withhash:
            item.append(geohash)
        if withcoord:
            item.append(coord)
        raw.append(item)
    result = parse_georadius_generic(reply(raw), **options)
    first = ['Palermo']
    if withdist:
        first.append(190.4424)
    if withhash:
        first.append(3479099956230698)
    if withcoord:
        first.append((13.36138933897018433, 38.11555639549629859))
    assert result[0] == first
    assert [type(part) for part in result[1]] == [type(p) for p in first]
    assert result[1][0] == 'Catania'


def test_parse_georadius_store_and_single(reply):
    options = dict(withdist=False, withhash=False, withcoord=False,
                   store=None, store_dist=None)
    assert parse_georadius_generic(2, **dict(options, store='dest')) == 2
    assert parse_georadius_generic(3, **dict(options, store_dist='d')) == 3
    assert parse_georadius_generic(reply(b'Palermo'), **options) == [
        'Palermo']
    assert parse_georadius_generic([], **options) == []


def test_geo_callbacks(reply):
    pos = RESPONSE_CALLBACKS['GEOPOS'](reply(
        [[b'13.36138933897018433', b'38.11555639549629859'], None]))
    assert pos == [(13.36138933897018433, 38.11555639549629859), None]
    assert RESPONSE_CALLBACKS['GEOHASH'](reply([b'sqc8b49rny0', None])) == [
        'sqc8b49rny0', None]
    assert RESPONSE_CALLBACKS['GEODIST'](reply(b'166274.1516')) == \
        166274.1516
    assert RESPONSE_CALLBACKS['GEODIST'](None) is None
    assert RESPONSE_CALLBACKS['GEOADD'](2) == 2


# ---- the callback tables ----------------------------------------------------

CALLBACK_GROUPS = {
    bool: 'AUTH EXISTS EXPIRE EXPIREAT HEXISTS HMSET MOVE MSETNX PERSIST '
          'PSETEX RENAMENX SISMEMBER SMOVE SETEX SETNX',
    int: 'BITCOUNT BITPOS DECRBY DEL GETBIT HDEL HLEN HSTRLEN INCRBY '
         'LINSERT LLEN LPUSHX PFADD PFCOUNT RPUSHX SADD SCARD SDIFFSTORE '
         'SETBIT SETRANGE SINTERSTORE SREM STRLEN SUNIONSTORE ZADD ZCARD '
         'ZLEXCOUNT ZREM ZREMRANGEBYLEX ZREMRANGEBYRANK ZREMRANGEBYSCORE '
         'GEOADD CLUSTER\0COUNT-FAILURE-REPORTS CLUSTER\0COUNTKEYSINSLOT '
         'CLUSTER\0KEYSLOT SLOWLOG\0LEN',
    float: 'INCRBYFLOAT HINCRBYFLOAT',
    float_or_none: 'ZSCORE ZINCRBY GEODIST',
    int_or_none: 'ZRANK ZREVRANK',
    sort_return_tuples: 'SORT',
    zset_score_pairs: 'ZRANGE ZRANGEBYSCORE ZREVRANGE ZREVRANGEBYSCORE',
    bool_ok: 'FLUSHALL FLUSHDB LSET LTRIM MSET PFMERGE RENAME SAVE SELECT '
             'SHUTDOWN SLAVEOF WATCH UNWATCH CLIENT\0KILL CLIENT\0SETNAME '
             'CLUSTER\0ADDSLOTS CLUSTER\0DELSLOTS CLUSTER\0FAILOVER '
             'CLUSTER\0FORGET CLUSTER\0MEET CLUSTER\0REPLICATE CLUSTER\0RESET '
             'CLUSTER\0SAVECONFIG CLUSTER\0SET-CONFIG-EPOCH CLUSTER\0SETSLOT '
             'CONFIG\0RESETSTAT CONFIG\0SET SCRIPT\0FLUSH SCRIPT\0KILL '
             'SENTINEL\0MONITOR SENTINEL\0REMOVE SENTINEL\0SET SLOWLOG\0RESET',
    parse_cluster_nodes: 'CLUSTER\0NODES CLUSTER\0SLAVES',
    parse_scan: 'SCAN SSCAN',
    parse_georadius_generic: 'GEORADIUS GEORADIUSBYMEMBER',
    parse_sentinel_slaves_and_sentinels:
        'SENTINEL\0SLAVES SENTINEL\0SENTINELS',
    parse_client_list: 'CLIENT\0LIST',
    parse_cluster_info: 'CLUSTER\0INFO',
    parse_config_get: 'CONFIG\0GET',
    parse_debug_object: 'DEBUG\0OBJECT',
    parse_hscan: 'HSCAN',
    parse_info: 'INFO',
    timestamp_to_datetime: 'LASTSAVE',
    parse_object: 'OBJECT',
    parse_pubsub_numsub: 'PUBSUB\0NUMSUB',
    nativestr: 'SCRIPT\0LOAD',
    parse_sentinel_get_master: 'SENTINEL\0GET-MASTER-ADDR-BY-NAME',
    parse_sentinel_master: 'SENTINEL\0MASTER',
    parse_sentinel_masters: 'SENTINEL\0MASTERS',
    parse_slowlog_get: 'SLOWLOG\0GET',
    parse_zscan: 'ZSCAN',
}
# commands whose callback is a small private function, checked by behaviour
OTHER_CALLBACKS = {
    'LPUSH', 'RPUSH', 'BLPOP', 'BRPOP', 'SDIFF', 'SINTER', 'SMEMBERS',
    'SUNION', 'BGREWRITEAOF', 'BGSAVE', 'CLIENT GETNAME', 'GEOHASH',
    'GEOPOS', 'HGETALL', 'PING', 'RANDOMKEY', 'SCRIPT EXISTS', 'SET', 'TIME',
}


def test_response_callbacks_table():
    expected = {}
    for callback, names in CALLBACK_GROUPS.items():
        for name in names.split():
            expected[name.replace('\0', ' ')] = callback
    assert set(RESPONSE_CALLBACKS) == set(expected) | OTHER_CALLBACKS
    for name, callback in expected.items():
        assert RESPONSE_CALLBACKS[name] is callback, name
    assert redis.client.StrictRedis.RESPONSE_CALLBACKS is RESPONSE_CALLBACKS
    assert redis.client.Redis.RESPONSE_CALLBACKS is LEGACY_RESPONSE_CALLBACKS


def test_small_callbacks(reply):
    cb = RESPONSE_CALLBACKS
    assert cb['SET'](reply(b'OK')) is True
    assert cb['SET'](None) is None
    assert cb['PING'](reply(b'PONG')) is True
    assert cb['LPUSH'](3) == 3 and cb['RPUSH'](1) == 1
    assert cb['LPUSH'](reply(b'OK')) is True
    assert cb['BLPOP'](reply([b'list', b'item'])) == (reply(b'list'),
                                                      reply(b'item'))
    assert cb['BRPOP'](None) is None
    assert cb['SMEMBERS'](reply([b'a', b'b', b'a'])) == {reply(b'a'),
                                                         reply(b'b')}
    assert cb['SDIFF']([]) == set() and cb['SUNION'](None) == set()
    assert cb['BGSAVE'](reply(b'Background saving started')) is True
    assert cb['BGREWRITEAOF'](reply(b'Background append only file')) is True
    assert cb['CLIENT GETNAME'](reply(b'worker')) == 'worker'
    assert cb['CLIENT GETNAME'](None) is None
    assert cb['HGETALL'](reply([b'f', b'v'])) == {reply(b'f'): reply(b'v')}
    assert cb['HGETALL']([]) == {}
    assert cb['RANDOMKEY'](reply(b'k')) == reply(b'k')
    assert cb['RANDOMKEY'](None) is None
    assert cb['SCRIPT EXISTS']([1, 0]) == [True, False]
    assert cb['SCRIPT LOAD'](reply(b'e0e1f9fabfc9d4800c877a703b823ac0578ff8db')
                             ) == 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db'
    assert cb['TIME'](reply([b'1795520350', b'575886'])) == (1795520350,
                                                             575886)
    assert cb['EXISTS'](1) is True and cb['SETNX'](0) is False
    assert cb['AUTH'](reply(b'OK')) is True
    assert cb['INCRBYFLOAT'](reply(b'10.5')) == 10.5
    assert cb['ZSCORE'](None) is None and cb['ZRANK'](None) is None


def test_legacy_callbacks():
    assert set(LEGACY_RESPONSE_CALLBACKS) - set(RESPONSE_CALLBACKS) == {
        'TTL', 'PTTL'}
    for name, callback in RESPONSE_CALLBACKS.items():
        assert LEGACY_RESPONSE_CALLBACKS[name] is callback
    for name in ('TTL', 'PTTL'):
        ttl = LEGACY_RESPONSE_CALLBACKS[name]
        assert ttl(120) == 120
        # no expiry (-1), no key (-2), and as in 2.10.6 also 0, give None
        assert ttl(-1) is None and ttl(-2) is None and ttl(0) is None


# ---- replies of a real server -----------------------------------------------

@pytest.fixture
def raw(redis_server):
    "Runs a command on the harness server over a raw socket (bytes replies)"
    return redis_server.command


def test_live_geo_replies(raw):
    raw('GEOADD', 'replies:geo', '13.361389', '38.115556', 'Palermo',
        '15.087269', '37.502669', 'Catania')
    try:
        names = parse_georadius_generic(
            raw('GEORADIUS', 'replies:geo', '15', '37', '200', 'km', 'ASC'),
            withdist=False, withhash=False, withcoord=False, store=None,
            store_dist=None)
        assert names == ['Catania', 'Palermo']
        full = parse_georadius_generic(
            raw('GEORADIUS', 'replies:geo', '15', '37', '200', 'km',
                'WITHDIST', 'WITHHASH', 'WITHCOORD', 'ASC'),
            withdist=True, withhash=True, withcoord=True, store=None,
            store_dist=None)
        name, dist, geohash, (lon, lat) = full[0]
        assert name == 'Catania' and 56 < dist < 57
        assert geohash == 3479447370796909
        assert abs(lon - 15.087269) < 1e-5 and abs(lat - 37.502669) < 1e-5
    finally:
        raw('DEL', 'replies:geo')
