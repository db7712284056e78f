"""CLIENT subcommands of Redis 6-7 against real servers started by the
harness, under both parsers, with bytes and with decode_responses replies.
Tests that pause, kill or evict other clients use a server of their own."""
import threading
import time

import pytest

import servers
from redis.exceptions import DataError, ResponseError

from checks import same, wait_for
from modes import client_in_mode

SHORT_PAUSE_MS = 300


@pytest.fixture
def own(make_server, make_client, decode):
    "A client of a server of the test's own, in the mode under test"
    return client_in_mode(make_client, decode, make_server())


def _by_id(c, client_id):
    found = c.client_list(client_id=[client_id])
    return found[0] if found else None


# ---- this connection ------------------------------------------------------------

def test_id_info_and_name(client):
    client_id = client.client_id()
    assert isinstance(client_id, int)
    info = client.client_info()
    same(info['id'], client_id)
    same(info['db'], 0)
    same(info['name'], '')
    assert isinstance(info['addr'], str) and isinstance(info['age'], int)
    same(client.client_setname('worker-1'), True)
    same(client.client_info()['name'], 'worker-1')
    same(client.client_getname(), 'worker-1')


def test_list_by_type_and_id(client, make_client):
    client_id = client.client_id()
    mine = client.client_list(client_id=[client_id])
    same(len(mine), 1)
    same(mine[0]['id'], str(client_id))
    assert all(isinstance(v, str) for v in mine[0].values())
    normal = client.client_list(_type='normal')
    assert str(client_id) in [c['id'] for c in normal]
    listener = make_client().pubsub()
    listener.subscribe('news')
    try:
        same(listener.get_message(timeout=30)['type'], 'subscribe')
        subscribers = client.client_list(_type='pubsub')
        assert subscribers and all(c['sub'] == '1' for c in subscribers)
        assert str(client_id) not in [c['id'] for c in subscribers]
    finally:
        listener.close()
    # 2.10.6's call
    assert str(client_id) in [c['id'] for c in client.client_list()]


def test_no_evict_and_reply_on(client):
    same(client.client_no_evict('on'), client.conv(b'OK'))
    assert 'e' in client.client_info()['flags']
    same(client.client_no_evict('off'), client.conv(b'OK'))
    assert 'e' not in client.client_info()['flags']
    same(client.client_reply('ON'), client.conv(b'OK'))


def test_commands_of_redis_72(client, redis_server):
    # 7.2's NO-TOUCH and SETINFO: a 7.0 server answers with its error
    version = servers.server_version(redis_server.executable) \
        if getattr(redis_server, 'executable', None) else (0,)
    if version >= (7, 2):
        same(client.client_no_touch('ON'), client.conv(b'OK'))
        same(client.client_no_touch('OFF'), client.conv(b'OK'))
        same(client.client_setinfo('LIB-NAME', 'mylib'), True)
        same(client.client_info()['lib-name'], 'mylib')
    else:
        with pytest.raises(ResponseError, match='unknown subcommand'):
            client.client_no_touch('ON')
        with pytest.raises(ResponseError, match='unknown subcommand'):
            client.client_setinfo('LIB-NAME', 'mylib')


# ---- tracking --------------------------------------------------------------------

def _invalidations(pubsub, wanted):
    "Read messages until one invalidates ``wanted``; the message"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        message = pubsub.get_message(timeout=1)
        if message and message['type'] == 'message':
            keys = message['data'] or []
            if wanted in keys:
                return message
    raise AssertionError('no invalidation of %r' % (wanted,))


def test_tracking_with_redirect(own, make_client):
    c = own.conv
    same(own.client_getredir(), -1)
    same(own.client_trackinginfo(), ['flags', [c(b'off')], 'redirect', -1,
                                     'prefixes', []])
    listener = make_client(server=own.server).pubsub()
    listener.subscribe('__redis__:invalidate')
    try:
        same(listener.get_message(timeout=30)['type'], 'subscribe')
        listener_id = int(own.client_list(_type='pubsub')[0]['id'])
        same(own.client_tracking_on(clientid=listener_id), c(b'OK'))
        same(own.client_getredir(), listener_id)
        same(own.client_trackinginfo(), ['flags', [c(b'on')], 'redirect',
                                         listener_id, 'prefixes', []])
        own.set('tracked', 1)
        own.get('tracked')
        make_client(server=own.server).set('tracked', 2)
        # (the listener's replies are bytes)
        message = _invalidations(listener, b'tracked')
        same(message['channel'], b'__redis__:invalidate')
        same(own.client_tracking_off(), c(b'OK'))
        same(own.client_getredir(), -1)
        # broadcasting: every key under the prefixes
        same(own.client_tracking(True, listener_id, prefix=['user:', 'job:'],
                                 bcast=True, noloop=True), c(b'OK'))
        info = own.client_trackinginfo()
        same(sorted(info[1]), sorted([c(b'on'), c(b'bcast'), c(b'noloop')]))
        same(sorted(info[5]), [c(b'job:'), c(b'user:')])
        make_client(server=own.server).set('user:1', 'x')
        _invalidations(listener, b'user:1')
    finally:
        listener.close()


def test_tracking_optin(own):
    c = own.conv
    same(own.client_tracking_on(optin=True), c(b'OK'))
    assert c(b'optin') in own.client_trackinginfo()[1]
    same(own.client_tracking_off(), c(b'OK'))


# ---- other clients ---------------------------------------------------------------

def test_kill_filters(own, make_client):
    server = own.server
    victims = [server.raw_connection() for _ in range(3)]
    try:
        ids = [conn.command('CLIENT', 'ID') for conn in victims]
        addrs = dict((int(c['id']), c['addr']) for c in own.client_list())
        same(own.client_kill_filter(_id=ids[0]), 1)
        same(own.client_kill_filter(addr=addrs[ids[1]]), 1)
        same(own.client_kill_filter(_id=ids[0]), 0)
        # the 2.10.6 form still answers True
        same(own.client_kill(addrs[ids[2]]), True)
        survivor = server.raw_connection()
        try:
            # (known to the server once it answered)
            assert survivor.command('PING') == 'PONG'
            same(own.client_kill_filter(_type='normal', skipme=True), 1)
            with pytest.raises(ResponseError, match='No such client'):
                own.client_kill(addrs[ids[2]])
            laddr = own.client_info()['laddr']
            same(own.client_kill_filter(laddr=laddr, skipme=True), 0)
            same(own.client_kill_filter(user='default', skipme=True), 0)
            if servers.server_version(server.executable) >= (7, 4):
                same(own.client_kill_filter(maxage=3600), 0)
            else:
                # MAXAGE is of 7.4: an older server's own error
                with pytest.raises(ResponseError, match='syntax error'):
                    own.client_kill_filter(maxage=3600)
            # skipme=False includes this connection
            same(own.client_kill_filter(_id=own.client_id(),
                                        skipme=False), 1)
        finally:
            survivor.close()
        for conn in victims:
            with pytest.raises((OSError, ConnectionError)):
                conn.command('PING')
    finally:
        for conn in victims:
            conn.close()


def test_unblock(client, make_client, decode):
    blocked = make_client(decode_responses=decode)
    blocked_id = blocked.client_id()
    results = {}

    def pop(key, name):
        try:
            results[name] = blocked.blpop(key, 0)
        except ResponseError as e:
            results[name] = e
    for name, error in (('timeout', False), ('error', True)):
        thread = threading.Thread(target=pop, args=('nothing', name))
        thread.start()
        # False until the BLPOP is waiting on the server
        wait_for(lambda: client.client_unblock(blocked_id, error=error),
                  'the BLPOP blocked')
        thread.join(30)
    same(results['timeout'], None)
    assert 'UNBLOCKED' in str(results['error'])
    same(client.client_unblock(blocked_id), False)


def test_pause_writes_then_unpause(own, make_client):
    writer = make_client(server=own.server)
    writer_id = writer.client_id()
    same(own.client_pause(60000, all=False), True)
    done = {}
    thread = threading.Thread(
        target=lambda: done.setdefault('set', writer.set('k', 'v')))
    try:
        thread.start()
        wait_for(lambda: (_by_id(own, writer_id) or {}).get('cmd') == 'set'
                  and 'b' in _by_id(own, writer_id)['flags'],
                  'the write held by the pause')
        # reads go on
        same(own.get('k'), None)
    finally:
        same(own.client_unpause(), own.conv(b'OK'))
        thread.join(30)
    same(done, {'set': True})
    same(own.get('k'), own.conv(b'v'))


def test_pause_all(own, make_client):
    other = make_client(server=own.server)
    other.ping()  # connected before the pause
    started = time.monotonic()
    same(own.client_pause(SHORT_PAUSE_MS), True)
    same(other.ping(), True)
    # the ping waited for the end of the pause
    assert time.monotonic() - started >= SHORT_PAUSE_MS / 1000.0


# ---- argument checks --------------------------------------------------------------

@pytest.mark.parametrize('call, args, kwargs, message', [
    ('client_list', (), {'_type': 'sentinel'}, '_type must be one of'),
    ('client_list', (), {'client_id': 5}, 'must be a list'),
    ('client_kill_filter', (), {}, 'at least one filter'),
    ('client_kill_filter', (), {'_type': 'bogus'}, 'type must be one of'),
    ('client_kill_filter', (), {'_id': 1, 'skipme': 'yes'}, 'skipme'),
    ('client_pause', ('100',), {}, 'integer'),
    ('client_pause', (1.5,), {}, 'integer'),
    ('client_reply', ('MAYBE',), {}, 'must be one of'),
    ('client_reply', ('OFF',), {}, 'pooled'),
    ('client_reply', ('SKIP',), {}, 'pooled'),
    ('client_tracking', (), {'prefix': ['a']}, 'bcast'),
    ('client_tracking', (), {'optin': True, 'optout': True}, 'exclusive'),
    ('client_tracking', (), {'bcast': True, 'optin': True}, 'bcast'),
])
def test_bad_arguments_send_nothing(offline, call, args, kwargs, message):
    # offline: anything sent would raise ConnectionError
    with pytest.raises(DataError, match=message):
        getattr(offline, call)(*args, **kwargs)
