"""Key, hash, set and geo commands and options added after Redis 3.0,
against the harness's real server, under both parsers, with bytes and with
decode_responses replies; 2.10.6's calls keep their meaning."""
import datetime
import time

import pytest

from redis.exceptions import DataError, ResponseError

from checks import same
import v7fixtures

client = v7fixtures.client


# ---- COPY / UNLINK / MEMORY USAGE / MIGRATE ------------------------------------------

def test_copy(client):
    c = client
    c.set('a', 'v')
    same(c.copy('a', 'b'), True)
    same(c.copy('a', 'b'), False)
    c.set('a', 'w')
    same(c.copy('a', 'b', replace=True), True)
    same(c.get('b'), c.conv(b'w'))
    same(c.copy('a', 'a', destination_db=1), True)
    same(c.copy('missing', 'c'), False)


def test_copy_to_another_db(make_client):
    c0 = make_client(db=0)
    c1 = make_client(db=1)
    c1.flushdb()
    c0.set('a', 'v')
    same(c0.copy('a', 'a', destination_db=1), True)
    same(c1.get('a'), b'v')
    c1.flushdb()


def test_unlink(client):
    c = client
    c.set('a', 1)
    c.rpush('b', 1)
    same(c.unlink('a', 'b', 'missing'), 2)
    same(c.unlink('a'), 0)


def test_memory_usage(r):
    r.set('k', 'x' * 1000)
    assert r.memory_usage('k') > 1000
    r.rpush('l', *range(100))
    assert isinstance(r.memory_usage('l', samples=0), int)
    same(r.memory_usage('missing'), None)


def test_migrate(make_client, make_server, parser_class):
    target = make_server()
    c = make_client()
    other = target.client(parser_class=parser_class)
    try:
        c.mset({'a': '1', 'b': '2'})
        same(c.migrate(target.host, target.port, 'a', 0, 5000), b'OK')
        same((c.exists('a'), other.get('a')), (False, b'1'))
        same(c.migrate(target.host, target.port, ['b'], 0, 5000,
                       copy=True), b'OK')
        same((c.get('b'), other.get('b')), (b'2', b'2'))
        c.set('b', '3')
        with pytest.raises(ResponseError, match='BUSYKEY'):
            c.migrate(target.host, target.port, ['b'], 0, 5000)
        same(c.migrate(target.host, target.port, ['b'], 0, 5000,
                       replace=True), b'OK')
        same(other.get('b'), b'3')
        same(c.migrate(target.host, target.port, ['missing'], 0, 5000),
             b'NOKEY')
    finally:
        other.connection_pool.disconnect()


def test_migrate_auth(make_client, make_server):
    target = make_server(password='pw')
    c = make_client()
    c.set('a', '1')
    with pytest.raises(ResponseError):
        c.migrate(target.host, target.port, 'a', 0, 5000, auth='wrong')
    same(c.migrate(target.host, target.port, 'a', 0, 5000, auth='pw'),
         b'OK')


# ---- EXPIRE options / EXPIRETIME --------------------------------------------------------

def test_expire_options(r):
    r.set('k', 'v')
    same(r.expire('k', 100, xx=True), False)
    same(r.expire('k', 100, nx=True), True)
    same(r.expire('k', 200, nx=True), False)
    same(r.expire('k', 50, gt=True), False)
    same(r.expire('k', 200, gt=True), True)
    same(r.expire('k', datetime.timedelta(seconds=150), lt=True), True)
    same(r.expire('k', 300, xx=True, gt=True), True)
    assert 200 < r.ttl('k') <= 300
    later = int(time.time()) + 1000
    same(r.expireat('k', later, lt=True), False)
    same(r.expireat('k', later, gt=True), True)
    same(r.expiretime('k'), later)
    # PEXPIRE/PEXPIREAT answer the integer, as 2.10.6's pexpire did
    same(r.pexpire('k', 10000, gt=True), 0)
    same(r.pexpire('k', 10000, lt=True), 1)
    same(r.pexpireat('k', later * 1000 + 5, xx=True), 1)
    same(r.pexpiretime('k'), later * 1000 + 5)
    when = datetime.datetime.fromtimestamp(later + 10)
    same(r.pexpireat('k', when, nx=True), 0)
    same(r.expireat('k', when, gt=True), True)
    same(r.expiretime('k'), later + 10)
    r.persist('k')
    same(r.expiretime('k'), -1)
    same(r.pexpiretime('missing'), -2)


# ---- RESTORE options / OBJECT / SORT_RO / SCAN TYPE -----------------------------------------

def test_restore_options(r):
    r.set('src', 'v')
    dumped = r.dump('src')
    same(r.restore('k', 0, dumped, idletime=1000), b'OK')
    assert r.object('idletime', 'k') >= 1000
    later = int(time.time() * 1000) + 100000
    same(r.restore('k', later, dumped, replace=True, absttl=True), b'OK')
    same(r.pexpiretime('k'), later)
    with pytest.raises(ResponseError, match='BUSYKEY'):
        r.restore('k', 0, dumped)
    # FREQ needs an LFU policy on the server
    r.config_set('maxmemory-policy', 'allkeys-lfu')
    try:
        same(r.restore('f', 0, dumped, frequency=42), b'OK')
        same(r.object('freq', 'f'), 42)
    finally:
        r.config_set('maxmemory-policy', 'noeviction')


def test_sort_ro(client):
    c = client
    c.rpush('l', '3', '1', '2')
    c.mset({'w_1': 'c', 'w_2': 'b', 'w_3': 'a'})
    same(c.sort_ro('l'), [c.conv(b'1'), c.conv(b'2'), c.conv(b'3')])
    same(c.sort_ro('l', desc=True, start=0, num=2),
         [c.conv(b'3'), c.conv(b'2')])
    same(c.sort_ro('l', by='w_*', alpha=True),
         [c.conv(b'3'), c.conv(b'2'), c.conv(b'1')])
    same(c.sort_ro('l', get=['#', 'w_*']),
         [c.conv(x) for x in (b'1', b'c', b'2', b'b', b'3', b'a')])


def test_scan_type(client):
    c = client
    c.set('s', 1)
    c.rpush('l', 1)
    c.sadd('st', 1)
    cursor, keys = c.scan(0, count=1000, _type='list')
    same((cursor, keys), (0, [c.conv(b'l')]))
    same(sorted(c.scan_iter(_type='set', count=1)), [c.conv(b'st')])
    same(sorted(c.scan_iter(match='s*', _type='string')), [c.conv(b's')])
    # 2.10.6's forms
    same(sorted(c.scan_iter()), [c.conv(b'l'), c.conv(b's'), c.conv(b'st')])


# ---- HSET mapping / HRANDFIELD / HSTRLEN ------------------------------------------------------

def test_hset_mapping_and_items(client):
    c = client
    same(c.hset('h', 'a', '1'), 1)
    same(c.hset('h', mapping={'a': '2', 'b': '3'}), 1)
    same(c.hset('h', 'c', '4', mapping={'d': '5'}, items=['e', '6']), 3)
    same(c.hset('h', items=('f', '7', 'a', '8')), 1)
    same(c.hgetall('h'), dict((c.conv(k), c.conv(v)) for k, v in (
        (b'a', b'8'), (b'b', b'3'), (b'c', b'4'), (b'd', b'5'),
        (b'e', b'6'), (b'f', b'7'))))
    same(c.hstrlen('h', 'a'), 1)


def test_hrandfield(client):
    c = client
    c.hset('h', mapping={'a': '1', 'b': '2'})
    assert c.hrandfield('h') in (c.conv(b'a'), c.conv(b'b'))
    same(sorted(c.hrandfield('h', 5)), [c.conv(b'a'), c.conv(b'b')])
    same(len(c.hrandfield('h', -3)), 3)
    flat = c.hrandfield('h', 2, withvalues=True)
    same(dict(zip(flat[::2], flat[1::2])),
         {c.conv(b'a'): c.conv(b'1'), c.conv(b'b'): c.conv(b'2')})
    same(c.hrandfield('missing'), None)
    same(c.hrandfield('missing', 2), [])


# ---- SMISMEMBER / SINTERCARD / SPOP count ------------------------------------------------------

def test_smismember_sintercard_spop(client):
    c = client
    c.sadd('a', 'x', 'y', 'z')
    c.sadd('b', 'y', 'z', 'w')
    same(c.smismember('a', ['x', 'w', 'y']), [1, 0, 1])
    same(c.smismember('a', 'w', 'z'), [0, 1])
    same(c.sintercard(2, ['a', 'b']), 2)
    same(c.sintercard(2, ['a', 'b'], limit=1), 1)
    got = c.spop('a', 2)
    assert isinstance(got, list) and len(got) == 2
    same(c.spop('a', 5), list(set([c.conv(b'x'), c.conv(b'y'),
                                  c.conv(b'z')]) - set(got)))
    same(c.spop('a', 1), [])
    assert c.spop('b') in (c.conv(b'y'), c.conv(b'z'), c.conv(b'w'))


# ---- GEOADD options / GEOSEARCH / GEOSEARCHSTORE / the _RO variants ----------------------------

PLACES = (13.361389, 38.115556, 'Palermo', 15.087269, 37.502669, 'Catania')


def test_geoadd_forms_and_options(client):
    c = client
    same(c.geoadd('g', *PLACES), 2)
    same(c.geoadd('h', PLACES), 2)
    same(c.geoadd('g', 13.4, 38.1, 'Palermo', xx=True, ch=True), 1)
    same(c.geoadd('g', 13.4, 38.1, 'Rome', xx=True), 0)
    same(c.geoadd('g', [13.5, 38.2, 'Palermo', 12.5, 41.9, 'Rome'], nx=True),
         1)
    same(c.zcard('g'), 3)


def test_geosearch(client):
    c = client
    c.geoadd('g', *PLACES)
    same(sorted(c.geosearch('g', longitude=15, latitude=37, radius=200,
                            unit='km')),
         [c.conv(b'Catania'), c.conv(b'Palermo')])
    got = c.geosearch('g', member='Catania', width=400, height=400,
                      unit='km', sort='ASC', withdist=True, withcoord=True,
                      withhash=True)
    same([place[0] for place in got], [c.conv(b'Catania'),
                                       c.conv(b'Palermo')])
    name, dist, geohash, (lon, lat) = got[1]
    assert 166 < dist < 167 and isinstance(geohash, int)
    assert abs(lon - 13.361389) < 1e-5 and abs(lat - 38.115556) < 1e-5
    same(c.geosearch('g', member='Palermo', radius=500, unit='km',
                     sort='DESC', count=1, any=False, withdist=True)[0][0],
         c.conv(b'Catania'))
    same(len(c.geosearch('g', member='Palermo', radius=500, unit='km',
                         count=1, any=True)), 1)
    same(c.geosearch('g', longitude=0, latitude=0, radius=1), [])


def test_geosearchstore(client):
    c = client
    c.geoadd('g', *PLACES)
    same(c.geosearchstore('dst', 'g', longitude=15, latitude=37, radius=200,
                          unit='km'), 2)
    same(c.zscore('dst', 'Palermo'), c.zscore('g', 'Palermo'))
    same(c.geosearchstore('dst', 'g', member='Palermo', width=10, height=10,
                          unit='km', storedist=True), 1)
    same(c.zrange('dst', 0, -1, withscores=True),
         [(c.conv(b'Palermo'), 0.0)])


def test_georadius_any_and_ro_variants(client):
    c = client
    c.geoadd('g', *PLACES)
    # 2.10.6's reply shape: names as str
    # (ANY: the first found, not the nearest)
    got = c.georadius('g', 15, 37, 200, unit='km', count=1, any=True)
    assert got in (['Catania'], ['Palermo'])
    same(sorted(c.georadius_ro('g', 15, 37, 200, unit='km')),
         ['Catania', 'Palermo'])
    got = c.georadius_ro('g', 15, 37, 200, unit='km', withdist=True,
                         sort='ASC')
    same([place[0] for place in got], ['Catania', 'Palermo'])
    assert isinstance(got[0][1], float)
    same(c.georadiusbymember_ro('g', 'Palermo', 100, unit='km'),
         ['Palermo'])
    got = c.georadiusbymember_ro('g', 'Palermo', 500, unit='km',
                                 withcoord=True, withhash=True, count=1,
                                 sort='ASC')
    name, geohash, (lon, lat) = got[0]
    same(name, 'Palermo')
    assert isinstance(geohash, int) and abs(lat - 38.115556) < 1e-5


# ---- argument checks -------------------------------------------------------------------------

@pytest.mark.parametrize('method, args, kwargs', [
    ('expire', ('k', 1), {'nx': True, 'xx': True}),
    ('pexpire', ('k', 1), {'gt': True, 'lt': True}),
    ('expireat', ('k', 1), {'nx': True, 'gt': True}),
    ('pexpireat', ('k', 1), {'nx': True, 'lt': True}),
    ('restore', ('k', 0, b'x'), {'idletime': 1, 'frequency': 1}),
    ('restore', ('k', 0, b'x'), {'idletime': -1}),
    ('restore', ('k', 0, b'x'), {'frequency': 'a'}),
    ('sort_ro', ('k',), {'start': 1}),
    ('migrate', ('h', 1, [], 0, 1), {}),
    ('hset', ('h',), {}),
    ('hset', ('h',), {'mapping': {}}),
    ('hset', ('h',), {'items': ['a']}),
    ('hrandfield', ('h',), {'withvalues': True}),
    ('smismember', ('s', []), {}),
    ('sintercard', (2, ['a']), {}),
    ('sintercard', (0, []), {}),
    ('geoadd', ('g', [1, 2]), {}),
    ('geoadd', ('g',), {}),
    ('geoadd', ('g', 1, 2, 'a'), {'nx': True, 'xx': True}),
    ('georadius', ('g', 1, 2, 3), {'any': True}),
    ('geosearch', ('g',), {'radius': 1}),
    ('geosearch', ('g',), {'member': 'a', 'longitude': 1, 'latitude': 2,
                           'radius': 1}),
    ('geosearch', ('g',), {'member': 'a'}),
    ('geosearch', ('g',), {'member': 'a', 'radius': 1, 'width': 2,
                           'height': 2}),
    ('geosearch', ('g',), {'member': 'a', 'radius': 1, 'unit': 'parsec'}),
    ('geosearch', ('g',), {'member': 'a', 'radius': 1, 'sort': 'UP'}),
    ('geosearch', ('g',), {'member': 'a', 'radius': 1, 'any': True}),
    ('geosearchstore', ('d', 'g'), {'longitude': 1, 'radius': 1}),
])
def test_bad_arguments_raise_data_error(offline, method, args, kwargs):
    with pytest.raises(DataError):
        getattr(offline, method)(*args, **kwargs)
