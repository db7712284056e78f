"""Stream commands (Redis 5+) against the harness's real server, under
both parsers, with bytes and with decode_responses replies."""
import pytest

import redis
from redis.exceptions import DataError, ResponseError

from checks import same
import v7fixtures
from v7fixtures import in_thread, wait_until_blocked

client = v7fixtures.client


def conv_entries(c, entries):
    return [(c.conv(i), dict((c.conv(k), c.conv(v)) for k, v in f.items()))
            for i, f in entries]


def fill(c, n=3):
    for i in range(1, n + 1):
        c.xadd('s', {'f': i, 'g': 'x%d' % i}, id='%d-0' % i)


# ---- XADD / XLEN / XRANGE / XREVRANGE ---------------------------------------

def test_xadd_and_xrange(client):
    c = client
    same(c.xadd('s', {'a': 1}, id='1-0'), c.conv(b'1-0'))
    same(c.xadd('s', {'b': b'\x00', 'c': 3}, id='2-0'), c.conv(b'2-0'))
    new_id = c.xadd('s', {'d': 4})
    assert int(new_id.split(c.conv(b'-'))[0]) > 2
    same(c.xlen('s'), 3)
    wanted = conv_entries(c, [(b'1-0', {b'a': b'1'}),
                              (b'2-0', {b'b': b'\x00', b'c': b'3'}),
                              (new_id if isinstance(new_id, bytes)
                               else new_id.encode(), {b'd': b'4'})])
    same(c.xrange('s'), wanted)
    same(c.xrange('s', min='(1-0', max='2-0'), wanted[1:2])
    same(c.xrange('s', count=1), wanted[:1])
    same(c.xrevrange('s'), wanted[::-1])
    same(c.xrevrange('s', max='2', min='-', count=1), wanted[1:2])
    same(c.xrange('missing'), [])


def test_xadd_trims_and_nomkstream(r):
    same(r.xadd('nope', {'a': 1}, nomkstream=True), None)
    same(r.exists('nope'), False)
    for i in range(1, 6):
        r.xadd('s', {'i': i}, id='%d-0' % i, maxlen=3, approximate=False)
    same([i for i, _ in r.xrange('s')], [b'3-0', b'4-0', b'5-0'])
    r.xadd('s', {'i': 6}, id='6-0', minid='5-0', approximate=False)
    same([i for i, _ in r.xrange('s')], [b'5-0', b'6-0'])
    # approximate trimming with a limit: only whole nodes go, so with
    # two entries nothing is evicted, but the call is accepted
    same(r.xadd('s', {'i': 7}, id='7-0', maxlen=1, approximate=True,
                limit=10), b'7-0')
    same(r.xlen('s'), 3)


def test_xadd_existing_id_is_the_servers_error(r):
    r.xadd('s', {'a': 1}, id='5-0')
    with pytest.raises(ResponseError, match='equal or smaller'):
        r.xadd('s', {'a': 1}, id='4-0')


# ---- XREAD / XREADGROUP --------------------------------------------------------

def test_xread(client):
    c = client
    fill(c)
    got = c.xread({'s': '1-0'}, count=1)
    same(got, [[c.conv(b's'), conv_entries(
        c, [(b'2-0', {b'f': b'2', b'g': b'x2'})])]])
    same(c.xread({'s': '$'}, block=10), [])
    same(c.xread({'s': '3-0'}), [])


def test_xread_block_wakes_on_xadd(make_client):
    reader = make_client()
    writer = make_client()
    writer.xadd('s', {'a': 0}, id='1-0')
    join = in_thread(lambda: reader.xread({'s': '$'}, block=0))
    wait_until_blocked(writer, 'xread')
    writer.xadd('s', {'a': 1}, id='2-0')
    same(join(), [[b's', [(b'2-0', {b'a': b'1'})]]])


def test_xreadgroup_count_noack_and_pending(client):
    c = client
    fill(c)
    same(c.xgroup_create('s', 'g', id='0'), True)
    got = c.xreadgroup('g', 'c1', {'s': '>'}, count=2)
    same(got, [[c.conv(b's'), conv_entries(
        c, [(b'1-0', {b'f': b'1', b'g': b'x1'}),
            (b'2-0', {b'f': b'2', b'g': b'x2'})])]])
    # noack: delivered but never pending
    same(len(c.xreadgroup('g', 'c2', {'s': '>'}, noack=True)[0][1]), 1)
    same(c.xreadgroup('g', 'c1', {'s': '>'}, block=10), [])
    # re-reading this consumer's own pending entries
    same([i for i, _ in c.xreadgroup('g', 'c1', {'s': '0'})[0][1]],
         [c.conv(b'1-0'), c.conv(b'2-0')])
    summary = c.xpending('s', 'g')
    same(summary, {'pending': 2, 'min': c.conv(b'1-0'),
                   'max': c.conv(b'2-0'),
                   'consumers': [{'name': c.conv(b'c1'), 'pending': 2}]})
    entries = c.xpending_range('s', 'g', '-', '+', 10)
    same([(e['message_id'], e['consumer'], e['times_delivered'])
          for e in entries],
         [(c.conv(b'1-0'), c.conv(b'c1'), 2), (c.conv(b'2-0'),
                                               c.conv(b'c1'), 2)])
    assert all(isinstance(e['time_since_delivered'], int) for e in entries)
    same([e['message_id'] for e in
          c.xpending_range('s', 'g', '-', '+', 1, consumername='c1')],
         [c.conv(b'1-0')])
    same(c.xpending_range('s', 'g', '-', '+', 10, consumername='nobody'),
         [])
    # idle: entries idle at least an hour, none yet
    same(c.xpending_range('s', 'g', '-', '+', 10, idle=3600000), [])
    same(c.xack('s', 'g', '1-0', '2-0', '9-0'), 2)
    same(c.xpending('s', 'g'), {'pending': 0, 'min': None, 'max': None,
                                'consumers': []})


def test_xreadgroup_reads_a_deleted_pending_entry_as_empty(r):
    fill(r, 2)
    r.xgroup_create('s', 'g', id='0')
    r.xreadgroup('g', 'c', {'s': '>'})
    r.xdel('s', '1-0')
    same(r.xreadgroup('g', 'c', {'s': '0'}),
         [[b's', [(b'1-0', {}), (b'2-0', {b'f': b'2', b'g': b'x2'})]]])


# ---- XGROUP --------------------------------------------------------------------

def test_xgroup_subcommands(client):
    c = client
    with pytest.raises(ResponseError):
        c.xgroup_create('s', 'g')
    same(c.xgroup_create('s', 'g', mkstream=True), True)
    same(c.xlen('s'), 0)
    same(c.xgroup_create('s', 'h', id='0', entries_read=0), True)
    same(c.xgroup_createconsumer('s', 'g', 'c1'), 1)
    same(c.xgroup_createconsumer('s', 'g', 'c1'), 0)
    fill(c, 2)
    c.xreadgroup('g', 'c1', {'s': '>'})
    same(c.xgroup_delconsumer('s', 'g', 'c1'), 2)
    same(c.xgroup_setid('s', 'g', '0'), True)
    same(c.xgroup_setid('s', 'g', '1-0', entries_read=1), True)
    groups = dict((g['name'], g) for g in c.xinfo_groups('s'))
    same(groups[c.conv(b'g')]['last-delivered-id'], c.conv(b'1-0'))
    same(groups[c.conv(b'g')]['entries-read'], 1)
    same(c.xgroup_destroy('s', 'g'), True)
    same(c.xgroup_destroy('s', 'g'), False)


# ---- XCLAIM / XAUTOCLAIM ---------------------------------------------------------

def test_xclaim(client):
    c = client
    fill(c)
    c.xgroup_create('s', 'g', id='0')
    c.xreadgroup('g', 'c1', {'s': '>'})
    # idle at least an hour: nothing qualifies
    same(c.xclaim('s', 'g', 'c2', 3600000, ['1-0']), [])
    same(c.xclaim('s', 'g', 'c2', 0, ['1-0']),
         conv_entries(c, [(b'1-0', {b'f': b'1', b'g': b'x1'})]))
    same(c.xclaim('s', 'g', 'c2', 0, ('2-0', '3-0'), justid=True),
         [c.conv(b'2-0'), c.conv(b'3-0')])
    same(c.xclaim('s', 'g', 'c3', 0, ['1-0'], idle=5000, retrycount=7,
                  justid=True), [c.conv(b'1-0')])
    entry, = c.xpending_range('s', 'g', '1-0', '1-0', 1)
    same(entry['consumer'], c.conv(b'c3'))
    same(entry['times_delivered'], 7)
    assert entry['time_since_delivered'] >= 5000
    # force: an id not pending yet is claimed
    c.xadd('s', {'f': 4}, id='4-0')
    same(c.xclaim('s', 'g', 'c3', 0, ['4-0'], force=True, justid=True),
         [c.conv(b'4-0')])
    same(c.xclaim('s', 'g', 'c3', 0, ['2-0'], time=1, justid=True),
         [c.conv(b'2-0')])


def test_xautoclaim(client):
    c = client
    fill(c)
    c.xgroup_create('s', 'g', id='0')
    c.xreadgroup('g', 'c1', {'s': '>'})
    got = c.xautoclaim('s', 'g', 'c2', 0, count=2)
    same(got, [c.conv(b'3-0'),
               conv_entries(c, [(b'1-0', {b'f': b'1', b'g': b'x1'}),
                                (b'2-0', {b'f': b'2', b'g': b'x2'})]),
               []])
    same(c.xautoclaim('s', 'g', 'c3', 0, start_id='2-0', justid=True),
         [c.conv(b'2-0'), c.conv(b'3-0')])
    c.xdel('s', '1-0')
    same(c.xautoclaim('s', 'g', 'c3', 0), [c.conv(b'0-0'), conv_entries(
        c, [(b'2-0', {b'f': b'2', b'g': b'x2'}),
            (b'3-0', {b'f': b'3', b'g': b'x3'})]), [c.conv(b'1-0')]])


# ---- XDEL / XTRIM / XSETID ---------------------------------------------------------

def test_xdel_xtrim(r):
    fill(r, 5)
    same(r.xdel('s', '1-0', '9-0'), 1)
    same(r.xtrim('s', maxlen=3, approximate=False), 1)
    same(r.xtrim('s', minid='4-0', approximate=False), 1)
    same([i for i, _ in r.xrange('s')], [b'4-0', b'5-0'])
    # approximate: whole nodes only; whatever went is no longer there
    evicted = r.xtrim('s', maxlen=0, approximate=True, limit=100)
    same(evicted + r.xlen('s'), 2)
    same(r.xtrim('missing', maxlen=0), 0)


def test_xsetid(r):
    fill(r, 2)
    same(r.xsetid('s', '5-0'), True)
    with pytest.raises(ResponseError):
        r.xadd('s', {'a': 1}, id='4-0')
    same(r.xsetid('s', '6-0', entries_added=10, max_deleted_id='3-0'), True)
    info = r.xinfo_stream('s')
    same((info['entries-added'], info['max-deleted-entry-id']), (10, b'3-0'))


# ---- XINFO -------------------------------------------------------------------------

def test_xinfo_stream(client):
    c = client
    fill(c, 2)
    info = c.xinfo_stream('s')
    same(info['length'], 2)
    same(info['last-generated-id'], c.conv(b'2-0'))
    same(info['first-entry'], conv_entries(
        c, [(b'1-0', {b'f': b'1', b'g': b'x1'})])[0])
    same(info['last-entry'], conv_entries(
        c, [(b'2-0', {b'f': b'2', b'g': b'x2'})])[0])
    assert all(isinstance(k, str) for k in info)
    c.xtrim('s', maxlen=0, approximate=False)
    info = c.xinfo_stream('s')
    same((info['first-entry'], info['last-entry']), (None, None))


def test_xinfo_stream_full(client):
    c = client
    fill(c, 2)
    c.xgroup_create('s', 'g', id='0')
    c.xreadgroup('g', 'c1', {'s': '>'}, count=1)
    info = c.xinfo_stream('s', full=True)
    same(info['entries'], dict(conv_entries(
        c, [(b'1-0', {b'f': b'1', b'g': b'x1'}),
            (b'2-0', {b'f': b'2', b'g': b'x2'})])))
    group, = info['groups']
    same(group['name'], c.conv(b'g'))
    same(group['pel-count'], 1)
    pending, = group['pending']
    same(pending[:2], [c.conv(b'1-0'), c.conv(b'c1')])
    consumer, = group['consumers']
    # consumer keys stay as read, as today's redis-py gives them
    same(consumer[c.conv(b'name')], c.conv(b'c1'))
    same(consumer[c.conv(b'pel-count')], 1)
    c.delete('s')
    c.xgroup_create('s', 'g', mkstream=True)
    info = c.xinfo_stream('s', full=True)
    same(info['entries'], {})
    same(info['groups'][0]['consumers'], [])


def test_xinfo_groups_and_consumers(client):
    c = client
    fill(c, 2)
    c.xgroup_create('s', 'g', id='0')
    c.xreadgroup('g', 'c1', {'s': '>'}, count=1)
    group, = c.xinfo_groups('s')
    same((group['name'], group['consumers'], group['pending'],
          group['last-delivered-id']),
         (c.conv(b'g'), 1, 1, c.conv(b'1-0')))
    consumer, = c.xinfo_consumers('s', 'g')
    same((consumer['name'], consumer['pending']), (c.conv(b'c1'), 1))
    assert isinstance(consumer['idle'], int)
    c.xadd('s2', {'a': 1})
    same(c.xinfo_groups('s2'), [])
    with pytest.raises(ResponseError, match='NOGROUP'):
        c.xinfo_consumers('s', 'g2')


# ---- pipelines and the legacy class -----------------------------------------------

def test_stream_replies_in_a_pipeline(make_client):
    for cls in (redis.StrictRedis, redis.Redis):
        c = make_client(cls=cls)
        c.delete('s')
        pipe = c.pipeline()
        pipe.xadd('s', {'a': 1}, id='1-0')
        pipe.xrange('s')
        pipe.xgroup_create('s', 'g', id='0')
        pipe.xreadgroup('g', 'c', {'s': '>'})
        pipe.xclaim('s', 'g', 'd', 0, ['1-0'], justid=True)
        pipe.xpending('s', 'g')
        pipe.xinfo_stream('s', full=True)
        got = pipe.execute()
        same(got[:6], [b'1-0', [(b'1-0', {b'a': b'1'})], True,
                       [[b's', [(b'1-0', {b'a': b'1'})]]], [b'1-0'],
                       {'pending': 1, 'min': b'1-0', 'max': b'1-0',
                        'consumers': [{'name': b'd', 'pending': 1}]}])
        same(got[6]['entries'], {b'1-0': {b'a': b'1'}})


# ---- argument checks: DataError before anything is sent ----------------------------

@pytest.mark.parametrize('method, args, kwargs', [
    ('xadd', ('s', {}), {}),
    ('xadd', ('s', [('a', 1)]), {}),
    ('xadd', ('s', {'a': 1}), {'maxlen': 1, 'minid': '1-0'}),
    ('xadd', ('s', {'a': 1}), {'maxlen': -1}),
    ('xadd', ('s', {'a': 1}), {'limit': 5}),
    ('xadd', ('s', {'a': 1}), {'maxlen': 5, 'approximate': False,
                               'limit': 5}),
    ('xrange', ('s',), {'count': 0}),
    ('xrevrange', ('s',), {'count': -1}),
    ('xread', ({},), {}),
    ('xread', (['s'],), {}),
    ('xread', ({'s': '0'},), {'count': 0}),
    ('xread', ({'s': '0'},), {'block': -1}),
    ('xreadgroup', ('g', 'c', {}), {}),
    ('xpending_range', ('s', 'g', '-', '+', None), {}),
    ('xpending_range', ('s', 'g', '-', '+', 1), {'idle': -5}),
    ('xclaim', ('s', 'g', 'c', -1, ['1-0']), {}),
    ('xclaim', ('s', 'g', 'c', 0, []), {}),
    ('xclaim', ('s', 'g', 'c', 0, '1-0'), {}),
    ('xclaim', ('s', 'g', 'c', 0, ['1-0']), {'idle': -1}),
    ('xautoclaim', ('s', 'g', 'c', -1), {}),
    ('xautoclaim', ('s', 'g', 'c', 0), {'count': 0}),
    ('xtrim', ('s',), {}),
    ('xtrim', ('s',), {'maxlen': 1, 'minid': '1-0'}),
])
def test_bad_arguments_raise_data_error(offline, method, args, kwargs):
    with pytest.raises(DataError):
        getattr(offline, method)(*args, **kwargs)


def test_renamed_command_gives_the_servers_error(make_server, parser_class):
    # a server without XAUTOCLAIM (as before 6.2) answers with its own
    # error, which arrives as a ResponseError
    server = make_server(extra_args=['--rename-command', 'XAUTOCLAIM', ''])
    c = server.client(parser_class=parser_class)
    try:
        with pytest.raises(ResponseError, match='unknown command'):
            c.xautoclaim('s', 'g', 'c', 0)
        same(c.xadd('s', {'a': 1}, id='1-0'), b'1-0')
    finally:
        c.connection_pool.disconnect()
