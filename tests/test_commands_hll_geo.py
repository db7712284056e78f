"""HyperLogLog and geo commands against a real server, under both parsers."""
import itertools

import pytest

from redis.exceptions import DataError, ResponseError

from checks import same


# ---- HyperLogLog ------------------------------------------------------------

def test_pfadd(r):
    same(r.pfadd('h', 'a', 'b', 'c'), 1)
    same(r.pfadd('h', 'a', 'b'), 0)
    same(r.pfadd('h', b'\x00\xff', u'\u20ac'), 1)


def test_pfcount_one_and_many(r):
    same(r.pfcount('h1'), 0)
    r.pfadd('h1', 'a', 'b', 'c')
    r.pfadd('h2', 'c', 'd')
    same(r.pfcount('h1'), 3)
    same(r.pfcount('h1', 'h2'), 4)


def test_pfmerge(r):
    r.pfadd('h1', 'a', 'b', 'c')
    r.pfadd('h2', 'c', 'd', 'e')
    same(r.pfmerge('dest', 'h1', 'h2'), True)
    same(r.pfcount('dest'), 5)
    # the destination takes part in the merge too
    r.pfadd('h3', 'f')
    same(r.pfmerge('dest', 'h3'), True)
    same(r.pfcount('dest'), 6)


def test_pf_wrong_type_is_a_response_error(r):
    r.set('s', 'not a hll at all')
    with pytest.raises(ResponseError, match='WRONGTYPE'):
        r.pfcount('s')


# ---- geo --------------------------------------------------------------------

PALERMO = (13.361389, 38.115556, 'Palermo')
CATANIA = (15.087269, 37.502669, 'Catania')
# what the server stores: coordinates snapped to its 52-bit geohash grid
PALERMO_POS = (13.36138933897018433, 38.11555639549629859)
CATANIA_POS = (15.08726745843887329, 37.50266842333162032)
PALERMO_HASH = 3479099956230698
CATANIA_HASH = 3479447370796909


@pytest.fixture
def sicily(r):
    same(r.geoadd('Sicily', *(PALERMO + CATANIA)), 2)
    return r


def test_geoadd(r):
    same(r.geoadd('g', *PALERMO), 1)
    same(r.geoadd('g', *(PALERMO + CATANIA)), 1)
    same(r.zcard('g'), 2)


def test_geoadd_binary_and_unicode_members(r, rd):
    same(r.geoadd('g', 10, 20, b'\x00\xff', 11, 21, u'\u20ac'), 2)
    same(r.zrange('g', 0, -1), [b'\x00\xff', u'\u20ac'.encode('utf-8')])
    same(rd.geodist('g', u'\u20ac', b'\x00\xff', 'km') > 100, True)


def test_geoadd_needs_triples_before_sending(offline):
    with pytest.raises(DataError):
        offline.geoadd('g', 1, 2)
    with pytest.raises(DataError):
        offline.geoadd('g', *(PALERMO + (1,)))


def test_geoadd_invalid_coordinates_are_a_response_error(r):
    with pytest.raises(ResponseError, match='invalid longitude,latitude'):
        r.geoadd('g', 200, 100, 'nowhere')


def test_geodist_units(sicily, rd):
    same(sicily.geodist('Sicily', 'Palermo', 'Catania'), 166274.1516)
    same(sicily.geodist('Sicily', 'Palermo', 'Catania', 'm'), 166274.1516)
    same(rd.geodist('Sicily', 'Palermo', 'Catania', 'km'), 166.2742)
    same(sicily.geodist('Sicily', 'Palermo', 'Catania', unit='mi'), 103.3182)
    same(sicily.geodist('Sicily', 'Palermo', 'Catania', 'ft'), 545518.87)


def test_geodist_missing_member(sicily):
    same(sicily.geodist('Sicily', 'Palermo', 'Rome'), None)
    same(sicily.geodist('nokey', 'a', 'b'), None)


def test_geodist_bad_unit_raises_before_sending(offline):
    with pytest.raises(DataError):
        offline.geodist('g', 'a', 'b', 'parsecs')


def test_geohash(sicily, rd):
    same(sicily.geohash('Sicily', 'Palermo', 'Catania'),
         ['sqc8b49rny0', 'sqdtr74hyu0'])
    same(rd.geohash('Sicily', 'Catania'), ['sqdtr74hyu0'])


def test_geopos(sicily, rd):
    same(sicily.geopos('Sicily', 'Palermo', 'Catania'),
         [PALERMO_POS, CATANIA_POS])
    same(rd.geopos('Sicily', 'Rome', 'Catania'), [None, CATANIA_POS])


# Every combination of the with* flags: each result is [name, then dist,
# hash, coordinates in the server's order, for the flags given].
WITH_FLAGS = [dict(zip(('withdist', 'withhash', 'withcoord'), combo))
              for combo in itertools.product((False, True), repeat=3)]
EXPECTED_PARTS = {
    'Catania': {'withdist': 56.4413, 'withhash': CATANIA_HASH,
                'withcoord': CATANIA_POS},
    'Palermo': {'withdist': 190.4424, 'withhash': PALERMO_HASH,
                'withcoord': PALERMO_POS},
}


def flag_id(flags):
    return '-'.join(k for k in flags if flags[k]) or 'none'


def expected_result(names, flags):
    if not any(flags.values()):
        return list(names)
    return [[name] + [EXPECTED_PARTS[name][flag]
                      for flag in ('withdist', 'withhash', 'withcoord')
                      if flags[flag]]
            for name in names]


@pytest.mark.parametrize('flags', WITH_FLAGS, ids=flag_id)
def test_georadius_with_flags(sicily, rd, flags):
    for client in (sicily, rd):
        same(client.georadius('Sicily', 15, 37, 200, 'km', sort='ASC',
                              **flags),
             expected_result(['Catania', 'Palermo'], flags))


@pytest.mark.parametrize('flags', WITH_FLAGS, ids=flag_id)
def test_georadiusbymember_with_flags(sicily, flags):
    result = sicily.georadiusbymember('Sicily', 'Catania', 100, 'km', **flags)
    if not any(flags.values()):
        same(result, ['Catania'])
        return
    # the centre member is at distance 0 from itself
    parts = dict(EXPECTED_PARTS['Catania'], withdist=0.0)
    same(result, [['Catania'] + [parts[flag] for flag in
                                 ('withdist', 'withhash', 'withcoord')
                                 if flags[flag]]])


def test_georadius_default_unit_is_metres(sicily):
    same(sicily.georadius('Sicily', 15, 37, 100000), ['Catania'])
    same(sicily.georadius('Sicily', 15, 37, 100000, withdist=True),
         [['Catania', 56441.2579]])


def test_georadius_sort_and_count(sicily):
    same(sicily.georadius('Sicily', 15, 37, 200, 'km', sort='DESC'),
         ['Palermo', 'Catania'])
    same(sicily.georadius('Sicily', 15, 37, 200, 'km', sort='ASC', count=1,
                          withdist=True), [['Catania', 56.4413]])


def test_georadius_nothing_in_range(sicily):
    same(sicily.georadius('Sicily', 0, 0, 1, 'km'), [])
    same(sicily.georadius('Sicily', 0, 0, 1, 'km', withdist=True), [])


def test_georadius_store(sicily):
    same(sicily.georadius('Sicily', 15, 37, 200, 'km', store='dest'), 2)
    same(sicily.zrange('dest', 0, -1, withscores=True),
         [(b'Palermo', float(PALERMO_HASH)),
          (b'Catania', float(CATANIA_HASH))])


def test_georadius_store_dist(sicily):
    same(sicily.georadius('Sicily', 15, 37, 200, 'km', store_dist='dest'), 2)
    scores = dict(sicily.zrange('dest', 0, -1, withscores=True))
    assert round(scores[b'Catania'], 4) == 56.4413
    assert round(scores[b'Palermo'], 4) == 190.4424


def test_georadiusbymember_store(sicily):
    same(sicily.georadiusbymember('Sicily', 'Palermo', 200, 'km',
                                  store='dest', count=1), 1)
    same(sicily.zrange('dest', 0, -1), [b'Palermo'])


@pytest.mark.parametrize('kwargs', [
    {'unit': 'parsecs'},
    {'sort': 'UP'},
    {'store': 'a', 'store_dist': 'b'},
], ids=['unit', 'sort', 'store-and-store_dist'])
def test_georadius_bad_options_raise_before_sending(offline, kwargs):
    with pytest.raises(DataError):
        offline.georadius('g', 15, 37, 200, **kwargs)
    with pytest.raises(DataError):
        offline.georadiusbymember('g', 'm', 200, **kwargs)


def test_georadiusbymember_missing_member_is_a_response_error(sicily):
    with pytest.raises(ResponseError, match='could not decode'):
        sicily.georadiusbymember('Sicily', 'Rome', 100, 'km')
