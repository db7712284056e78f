"""List, string and bitmap commands and options added after Redis 3.0,
against the harness's real server, under both parsers, with bytes and with
decode_responses replies; 2.10.6's calls keep their meaning."""
import datetime
import time

import pytest

from redis.commands.bitfield import BitFieldOperation
from redis.exceptions import DataError, ResponseError

from checks import same
import v7fixtures
from v7fixtures import in_thread, wait_until_blocked

client = v7fixtures.client


# ---- LPOS / LPOP and RPOP count --------------------------------------------------

def test_lpos(client):
    c = client
    c.rpush('l', 'a', 'b', 'c', 'b', 'b')
    same(c.lpos('l', 'b'), 1)
    same(c.lpos('l', 'b', rank=2), 3)
    same(c.lpos('l', 'b', rank=-1), 4)
    same(c.lpos('l', 'b', count=0), [1, 3, 4])
    same(c.lpos('l', 'b', count=2, rank=-1), [4, 3])
    same(c.lpos('l', 'b', count=0, maxlen=2), [1])
    same(c.lpos('l', 'x'), None)
    same(c.lpos('l', 'x', count=0), [])


def test_lpop_rpop_count(client):
    c = client
    c.rpush('l', 'a', 'b', 'c', 'd')
    same(c.lpop('l', 2), [c.conv(b'a'), c.conv(b'b')])
    same(c.rpop('l', 1), [c.conv(b'd')])
    same(c.rpop('l', 9), [c.conv(b'c')])
    same(c.lpop('l', 2), None)
    # 2.10.6's one-item form
    c.rpush('l', 'x')
    same(c.lpop('l'), c.conv(b'x'))
    same(c.rpop('l'), None)


# ---- LMOVE / BLMOVE / LMPOP / BLMPOP ------------------------------------------------

def test_lmove_blmove(client):
    c = client
    c.rpush('a', '1', '2', '3')
    same(c.lmove('a', 'b'), c.conv(b'1'))
    same(c.lmove('a', 'b', 'right', 'left'), c.conv(b'3'))
    same(c.lrange('b', 0, -1), [c.conv(b'3'), c.conv(b'1')])
    same(c.blmove('a', 'b', 1, src='LEFT', dest='LEFT'), c.conv(b'2'))
    same(c.lmove('a', 'b'), None)
    same(c.blmove('a', 'b', 0.01), None)


def test_blmove_wakes_on_push(make_client):
    waiter = make_client()
    other = make_client()
    join = in_thread(lambda: waiter.blmove('src', 'dst', 0, 'RIGHT', 'LEFT'))
    wait_until_blocked(other, 'blmove')
    other.rpush('src', 'v')
    same(join(), b'v')
    same(other.lrange('dst', 0, -1), [b'v'])


def test_lmpop_blmpop(client):
    c = client
    c.rpush('b', '1', '2', '3')
    same(c.lmpop(2, 'a', 'b', direction='LEFT'),
         [c.conv(b'b'), [c.conv(b'1')]])
    same(c.lmpop(1, 'b', direction='right', count=5),
         [c.conv(b'b'), [c.conv(b'3'), c.conv(b'2')]])
    same(c.lmpop(1, 'b', direction='LEFT'), None)
    c.rpush('a', 'x')
    same(c.blmpop(1, 2, 'b', 'a', direction='RIGHT', count=2),
         [c.conv(b'a'), [c.conv(b'x')]])
    same(c.blmpop(0.01, 1, 'a', direction='LEFT'), None)


def test_server_without_lmpop_gives_its_own_error(make_server, parser_class):
    # as a server older than 7.0 would
    server = make_server(extra_args=['--rename-command', 'LMPOP', ''])
    c = server.client(parser_class=parser_class)
    try:
        c.rpush('l', 'a')
        with pytest.raises(ResponseError, match='unknown command'):
            c.lmpop(1, 'l', direction='LEFT')
        same(c.lpop('l'), b'a')
    finally:
        c.connection_pool.disconnect()


# ---- SET options / GETDEL / GETEX ------------------------------------------------------

def test_set_get_keepttl(client):
    c = client
    same(c.set('k', 'v1', get=True), None)
    same(c.set('k', 'v2', get=True), c.conv(b'v1'))
    c.expire('k', 100)
    same(c.set('k', 'v3', keepttl=True), True)
    assert 0 < c.ttl('k') <= 100
    same(c.set('k', 'v4'), True)
    same(c.ttl('k'), -1)
    # GET with NX/XX: the old value whether or not it was set
    same(c.set('k', 'v5', xx=True, get=True), c.conv(b'v4'))
    same(c.set('k', 'v6', nx=True, get=True), c.conv(b'v5'))
    same(c.get('k'), c.conv(b'v5'))
    # 2.10.6's replies unchanged
    same(c.set('k', 'x', nx=True), None)
    same(c.set('k', 'x', xx=True), True)


def test_set_exat_pxat(r):
    later = int(time.time()) + 1000
    same(r.set('k', 'v', exat=later), True)
    same(r.expiretime('k'), later)
    same(r.set('k', 'v', pxat=later * 1000 + 123), True)
    same(r.pexpiretime('k'), later * 1000 + 123)
    when = datetime.datetime.now().replace(microsecond=456000) + \
        datetime.timedelta(seconds=500)
    same(r.set('k', 'v', pxat=when), True)
    same(r.pexpiretime('k') % 1000, 456)
    same(r.set('k', 'v', exat=when), True)
    assert 490 < r.ttl('k') <= 500


def test_set_ex_and_px_together_is_still_the_servers_error(r):
    # 2.10.6 sent both; so does this client, and the server refuses
    with pytest.raises(ResponseError, match='syntax'):
        r.set('k', 'v', ex=10, px=10000)


def test_getdel_getex(client):
    c = client
    c.set('k', 'v')
    same(c.getex('k'), c.conv(b'v'))
    same(c.getex('k', ex=100), c.conv(b'v'))
    assert 0 < c.ttl('k') <= 100
    same(c.getex('k', px=datetime.timedelta(seconds=50)), c.conv(b'v'))
    assert 0 < c.pttl('k') <= 50000
    same(c.getex('k', persist=True), c.conv(b'v'))
    same(c.ttl('k'), -1)
    later = int(time.time()) + 300
    same(c.getex('k', exat=later), c.conv(b'v'))
    same(c.expiretime('k'), later)
    same(c.getex('k', pxat=later * 1000), c.conv(b'v'))
    same(c.getdel('k'), c.conv(b'v'))
    same(c.exists('k'), False)
    same(c.getdel('k'), None)
    same(c.getex('k', ex=1), None)


# ---- LCS -----------------------------------------------------------------------------

def test_lcs(client):
    c = client
    c.mset({'k1': 'ohmytext', 'k2': 'mynewtext'})
    same(c.lcs('k1', 'k2'), c.conv(b'mytext'))
    same(c.lcs('k1', 'k2', len=True), 6)
    same(c.lcs('k1', 'k2', idx=True),
         [c.conv(b'matches'), [[[4, 7], [5, 8]], [[2, 3], [0, 1]]],
          c.conv(b'len'), 6])
    same(c.lcs('k1', 'k2', idx=True, minmatchlen=4, withmatchlen=True),
         [c.conv(b'matches'), [[[4, 7], [5, 8], 4]], c.conv(b'len'), 6])


# ---- BITFIELD / BITFIELD_RO / BITCOUNT and BITPOS modes -----------------------------------

def test_bitfield_builder(r):
    op = r.bitfield('bf')
    assert isinstance(op, BitFieldOperation)
    op.set('u8', 0, 200).incrby('u8', 0, 100).get('u8', 0)
    same(op.command, ['BITFIELD', 'bf', 'SET', 'u8', 0, 200,
                      'INCRBY', 'u8', 0, 100, 'GET', 'u8', 0])
    assert 'bf' in repr(op)
    same(op.execute(), [0, 44, 44])
    # execute() forgets what it sent
    same(op.command, ['BITFIELD', 'bf'])
    same(r.bitfield('bf').overflow('SAT').incrby('u8', 0, 250)
         .incrby('u8', 0, 1, overflow='FAIL').execute(), [255, None])
    # the default overflow comes first, and again after reset()
    op = r.bitfield('bf', default_overflow='fail')
    op.incrby('u8', '#0', 1)
    same(op.command, ['BITFIELD', 'bf', 'OVERFLOW', 'FAIL',
                      'INCRBY', 'u8', '#0', 1])
    op.reset()
    same(op.command, ['BITFIELD', 'bf', 'OVERFLOW', 'FAIL'])
    same(r.bitfield('missing').get('i8', 0).execute(), [0])


def test_bitfield_ro(r):
    r.bitfield('bf').set('u8', 0, 0xA5).set('u8', 8, 0x0F).execute()
    same(r.bitfield_ro('bf', 'u8', 0), [0xA5])
    same(r.bitfield_ro('bf', 'u4', 0, items=[('u4', 4), ('u8', '#1')]),
         [0xA, 0x5, 0x0F])


def test_bitcount_bitpos_modes(r):
    r.set('k', b'\x00\xff\xf0')
    same(r.bitcount('k', 0, 7, mode='BIT'), 0)
    same(r.bitcount('k', 8, 11, mode='bit'), 4)
    same(r.bitcount('k', 1, 1, mode='BYTE'), 8)
    same(r.bitpos('k', 1, 0, -1, mode='BIT'), 8)
    same(r.bitpos('k', 0, 8, 23, mode='BIT'), 20)
    same(r.bitpos('k', 1, 2, 2, mode='BYTE'), 16)
    # 2.10.6's forms
    same(r.bitcount('k'), 12)
    same(r.bitpos('k', 1, 1), 8)


# ---- argument checks -------------------------------------------------------------------

@pytest.mark.parametrize('method, args, kwargs', [
    ('lmove', ('a', 'b', 'UP'), {}),
    ('blmove', ('a', 'b', 0, 'LEFT', 'DOWN'), {}),
    ('lmpop', (1, 'a'), {'direction': 'MIDDLE'}),
    ('lmpop', (2, 'a'), {'direction': 'LEFT'}),
    ('lmpop', (0,), {'direction': 'LEFT'}),
    ('blmpop', (0, 3, 'a', 'b'), {'direction': 'LEFT'}),
    ('set', ('k', 'v'), {'ex': 1, 'exat': 5}),
    ('set', ('k', 'v'), {'keepttl': True, 'px': 5}),
    ('set', ('k', 'v'), {'exat': 1, 'pxat': 5}),
    ('getex', ('k',), {'ex': 1, 'px': 5}),
    ('getex', ('k',), {'persist': True, 'exat': 5}),
    ('bitcount', ('k',), {'mode': 'BIT'}),
    ('bitcount', ('k', 0, 1), {'mode': 'NIBBLE'}),
    ('bitpos', ('k', 1, 0), {'mode': 'BIT'}),
    ('bitpos', ('k', 1), {'mode': 'BIT'}),
    ('bitfield', ('k',), {'default_overflow': 'BOUNCE'}),
])
def test_bad_arguments_raise_data_error(offline, method, args, kwargs):
    with pytest.raises(DataError):
        getattr(offline, method)(*args, **kwargs)


def test_bitfield_bad_overflow_raises_data_error(offline):
    with pytest.raises(DataError):
        offline.bitfield('k').overflow('BOUNCE')
    with pytest.raises(DataError):
        offline.bitfield('k').incrby('u8', 0, 1, overflow='x')


# ---- blocking commands and socket_timeout -------------------------------------------------

@pytest.mark.parametrize('call', [
    lambda c: c.bzpopmin('missing', 1),
    lambda c: c.bzmpop(1, 1, ['missing'], min=True),
    lambda c: c.blmpop(1, 1, 'missing', direction='LEFT'),
    lambda c: c.blmove('missing', 'dst', 1),
    lambda c: c.xread({'missing': '$'}, block=1000),
    lambda c: c.xreadgroup('g', 'c', {'s': '>'}, block=1000),
], ids=['bzpopmin', 'bzmpop', 'blmpop', 'blmove', 'xread', 'xreadgroup'])
def test_blocking_commands_outlive_a_shorter_socket_timeout(make_client,
                                                            call):
    # the command waits 1 s; socket_timeout (0.2 s) must not cut it short
    c = make_client(socket_timeout=0.2)
    c.xgroup_create('s', 'g', mkstream=True)
    assert call(c) in (None, [])
    same(c.ping(), True)


def test_a_stream_named_block_is_not_the_block_option(make_client):
    c = make_client(socket_timeout=0.2)
    c.xadd('BLOCK', {'a': 1}, id='1-0')
    # a stream named BLOCK is a key, not the option
    same(c.xread({'BLOCK': '0'}), [[b'BLOCK', [(b'1-0', {b'a': b'1'})]]])
