"""Pipelines and transactions when connections fail: lost WATCHes, stale
pooled connections, a server that is down, replies or sends cut by a
fault-injecting proxy. Nothing runs twice, and a lost WATCH is reported."""
import pytest

from redis.exceptions import ConnectionError, WatchError

from faultproxy import FaultProxy


def in_use(client):
    return len(client.connection_pool._in_use_connections)


def available(client):
    return len(client.connection_pool._available_connections)


def kill_other_clients(client):
    client.execute_command('CLIENT', 'KILL', 'TYPE', 'normal',
                           'SKIPME', 'yes')


def test_connection_lost_while_watching_raises_watcherror(r, make_client):
    killer = make_client()
    r.set('a', 1)
    with r.pipeline() as pipe:
        pipe.watch('a')
        kill_other_clients(killer)
        with pytest.raises(WatchError):
            pipe.get('a')
        # the pipeline was reset: its connection went back to the pool
        assert pipe.connection is None and not pipe.watching
    assert in_use(r) == 0


def test_connection_lost_before_exec_raises_watcherror(r, make_client):
    killer = make_client()
    r.set('a', 1)
    with r.pipeline() as pipe:
        pipe.watch('a')
        value = pipe.get('a')
        pipe.multi()
        pipe.set('a', int(value) + 1)
        kill_other_clients(killer)
        # wait until the close reached us, so it is seen before sending
        assert pipe.connection.can_read(timeout=5)
        with pytest.raises(WatchError):
            pipe.execute()
    assert r.get('a') == b'1'
    # the transaction() helper simply tries again
    assert r.transaction(lambda p: p.multi() or p.incr('a'), 'a') == [2]


def test_stale_pooled_connection_is_replaced(r, make_client):
    killer = make_client()
    r.ping()
    kill_other_clients(killer)
    assert r.connection_pool._available_connections[0].can_read(timeout=5)
    assert r.pipeline().set('a', 1).get('a').execute() == [True, b'1']
    assert r.pipeline(False).get('a').execute() == [b'1']


def test_server_down(make_server, make_client):
    server = make_server()
    client = make_client(server=server)
    assert client.pipeline().set('a', 1).execute() == [True]
    server.stop()
    for transaction in (True, False):
        with pytest.raises(ConnectionError):
            client.pipeline(transaction).get('a').execute()
    assert in_use(client) == 0


@pytest.fixture
def proxy(clean_db):
    with FaultProxy(clean_db.host, clean_db.port) as p:
        yield p


@pytest.mark.parametrize('transaction', [True, False])
def test_lost_replies_raise_and_are_not_sent_again(r, make_client, proxy,
                                                   transaction):
    client = make_client(host=proxy.host, port=proxy.port)
    client.ping()
    proxy.cut_after('down', 0)
    pipe = client.pipeline(transaction)
    pipe.incr('counter').set('a', 1)
    # the server ran the batch; only its replies were lost
    with pytest.raises(ConnectionError):
        pipe.execute()
    assert r.get('counter') == b'1'
    assert in_use(client) == 0
    assert client.pipeline(transaction).incr('counter').execute() == [2]


@pytest.mark.parametrize('transaction', [True, False])
def test_lost_replies_while_watching_raise_connectionerror(r, make_client,
                                                           proxy, transaction):
    client = make_client(host=proxy.host, port=proxy.port)
    with client.pipeline(transaction) as pipe:
        pipe.watch('counter')
        pipe.multi()
        pipe.incr('counter')
        proxy.cut_after('down', 0)
        # EXEC may have run: a WatchError would invite running it again
        with pytest.raises(ConnectionError) as info:
            pipe.execute()
        assert not isinstance(info.value, WatchError)
    assert r.get('counter') == b'1'


def big_batch(pipe):
    # more than the socket buffers hold, so the cut hits sendall()
    pipe.incr('counter').set('big', b'x' * (48 * 1024 * 1024)).incr('after')
    return pipe


def test_send_failure_is_not_retried_without_transaction(r, make_client,
                                                         proxy):
    client = make_client(host=proxy.host, port=proxy.port)
    client.ping()
    proxy.cut_after('up', 200)
    with pytest.raises(ConnectionError):
        big_batch(client.pipeline(transaction=False)).execute()
    # the first command got through and ran: sending the batch again
    # would have run it twice
    assert r.get('counter') == b'1'
    assert r.get('after') is None
    assert in_use(client) == 0


def test_send_failure_retries_a_transaction(r, make_client, proxy):
    client = make_client(host=proxy.host, port=proxy.port)
    client.ping()
    proxy.cut_after('up', 200)
    assert big_batch(client.pipeline()).execute() == [1, True, 1]
    # the cut connection's MULTI was dropped with it: everything ran once
    assert r.get('counter') == b'1'
    assert r.strlen('big') == 48 * 1024 * 1024
    assert proxy.stats()['accepted'] == 2


def test_send_failure_while_watching_raises_watcherror(r, make_client,
                                                       proxy):
    client = make_client(host=proxy.host, port=proxy.port)
    with client.pipeline() as pipe:
        pipe.watch('counter')
        pipe.multi()
        big_batch(pipe)
        proxy.cut_after('up', 200)
        with pytest.raises(WatchError):
            pipe.execute()
    assert r.get('counter') is None


