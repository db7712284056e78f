"""PubSub reading that goes on across lost connections, server restarts,
outages, stalled sockets, corrupt replies, failing handlers, a close() from
another thread and fork()."""
import logging
import os
import queue
import random
import threading
import time

import pytest

from redis.client import PubSub
from redis.exceptions import ConnectionError, InvalidResponse

from faultproxy import FaultProxy
from test_pubsub import (
    WAIT, Collector, Listener, msg, next_message, numsub, publish_batch,
    wait_until,
)


# ---- lost connections --------------------------------------------------------

def test_get_message_reconnects_after_client_kill(r, make_client):
    p = r.pubsub()
    p.subscribe('c')
    p.psubscribe('p*')
    next_message(p), next_message(p)
    admin = make_client()
    assert admin.execute_command('CLIENT', 'KILL', 'TYPE', 'pubsub') == 1
    # the re-subscribe confirmations show that it reconnected by itself
    assert next_message(p) == msg('subscribe', b'c', 1)
    assert next_message(p) == msg('psubscribe', b'p*', 2)
    admin.publish('c', 'back')
    assert next_message(p) == msg('message', b'c', b'back')
    p.close()


def test_get_message_raises_while_server_is_down(make_server, make_client):
    server = make_server()
    client = make_client(server=server)
    p = client.pubsub(ignore_subscribe_messages=True)
    p.subscribe('c')
    p.get_message(timeout=1)
    server.kill()
    with pytest.raises(ConnectionError):
        p.get_message(timeout=1)
    with pytest.raises(ConnectionError):  # every call tries again
        p.get_message()
    server.restart()
    assert p.get_message(timeout=1) is None  # reconnected; confirmation
    wait_until(lambda: numsub(client, b'c') == 1)
    client.publish('c', 'up again')
    assert next_message(p) == msg('message', b'c', b'up again')
    p.close()


def test_server_restart_during_listen(make_server, make_client):
    server = make_server()
    client = make_client(server=server)
    p = client.pubsub()
    p.subscribe('c')
    listener = Listener(p)
    listener.start()
    assert listener.get_type('subscribe') == msg('subscribe', b'c', 1)
    server.kill()
    server.restart()
    assert listener.get_type('subscribe') == msg('subscribe', b'c', 1)
    assert numsub(client, b'c') == 1
    client.publish('c', 'after restart')
    assert listener.get_type('message') == msg('message', b'c',
                                               b'after restart')
    p.unsubscribe()
    listener.join(WAIT)
    assert not listener.is_alive() and listener.error is None
    p.close()


def test_server_restart_during_run_in_thread(make_server, make_client):
    server = make_server()
    client = make_client(server=server)
    p = client.pubsub()
    handled = Collector()
    p.subscribe(**{'c': handled})
    p.psubscribe(**{'c*': handled})
    thread = p.run_in_thread(daemon=True)
    wait_until(lambda: numsub(client, b'c') == 1)
    server.kill()
    server.restart()
    wait_until(lambda: numsub(client, b'c') == 1, what='re-subscribing')
    assert client.pubsub_numpat() == 1
    client.publish('c', 'after restart')
    handled.wait_for(2)
    assert sorted(m['type'] for m in handled.messages) == [
        'message', 'pmessage']
    thread.stop()
    thread.join(WAIT)
    assert not thread.is_alive()


@pytest.mark.slow
def test_server_down_for_five_seconds(make_server, make_client, caplog):
    server = make_server()
    client = make_client(server=server)
    listened = client.pubsub()
    listened.subscribe('c')
    listener = Listener(listened)
    listener.start()
    threaded = client.pubsub(ignore_subscribe_messages=True)
    handled = Collector()
    threaded.subscribe(**{'c': handled})
    thread = threaded.run_in_thread(daemon=True)
    wait_until(lambda: numsub(client, b'c') == 2)
    listener.get_type('subscribe')

    caplog.set_level(logging.WARNING, logger='redis.pubsub')
    server.kill()
    down_since = time.monotonic()
    # both readers keep trying: several failed attempts each, logged
    wait_until(lambda: len(caplog.records) >= 6, timeout=10,
               what='reconnect attempts')
    time.sleep(max(0.0, 5 - (time.monotonic() - down_since)))  # the outage
    assert listener.is_alive() and thread.is_alive()
    assert all(r.name == 'redis.pubsub' for r in caplog.records)
    server.restart()

    wait_until(lambda: numsub(client, b'c') == 2, what='both re-subscribed')
    client.publish('c', 'after the outage')
    assert listener.get_type('message') == msg('message', b'c',
                                               b'after the outage')
    assert handled.wait_for(1) == msg('message', b'c', b'after the outage')
    thread.stop()
    thread.join(WAIT)
    listened.close()
    listener.join(WAIT)
    assert not thread.is_alive() and not listener.is_alive()
    assert listener.error is None


def test_exception_handler_gets_connection_errors(make_server, make_client):
    server = make_server()
    client = make_client(server=server)
    p = client.pubsub()
    p.subscribe(**{'c': Collector()})
    calls = []
    thread = p.run_in_thread(
        daemon=True, exception_handler=lambda *a: calls.append(a))
    wait_until(lambda: numsub(client, b'c') == 1)
    server.kill()
    wait_until(lambda: len(calls) >= 2, what='exception_handler calls')
    exc, pubsub, worker = calls[0]
    assert isinstance(exc, ConnectionError)
    assert pubsub is p and worker is thread
    thread.stop()
    thread.join(WAIT)
    assert not thread.is_alive()


def test_handler_errors_do_not_kill_the_thread(r, caplog):
    p = r.pubsub()
    handled = Collector()

    def fragile(message):
        if message['data'] == b'boom':
            raise ValueError('boom')
        handled(message)

    p.subscribe(**{'c': fragile})
    thread = p.run_in_thread(daemon=True)
    wait_until(lambda: numsub(r, b'c') == 1)
    r.publish('c', 'boom')
    r.publish('c', 'fine')
    assert handled.wait_for(1)['data'] == b'fine'
    assert any('boom' in str(rec.exc_info[1]) for rec in caplog.records
               if rec.exc_info)
    thread.stop()
    thread.join(WAIT)
    assert not thread.is_alive()


def test_exception_handler_that_raises_ends_the_thread(r, monkeypatch):
    uncaught = []
    monkeypatch.setattr(threading, 'excepthook', uncaught.append)
    p = r.pubsub()
    seen = []

    def handler(exc, pubsub, thread):
        seen.append(exc)
        raise exc

    def fragile(message):
        raise KeyError('from the handler')

    p.subscribe(**{'c': fragile})
    thread = p.run_in_thread(daemon=True, exception_handler=handler)
    wait_until(lambda: numsub(r, b'c') == 1)
    r.publish('c', 'x')
    thread.join(WAIT)
    assert not thread.is_alive()
    assert isinstance(seen[0], KeyError)
    assert [hook.exc_value for hook in uncaught] == seen
    assert p.connection is None  # closed on the way out


def test_idle_listen_with_socket_timeout_keeps_its_connection(make_client):
    client = make_client(socket_timeout=0.2)
    p = client.pubsub()
    p.subscribe('idle')
    listener = Listener(p)
    listener.start()
    listener.get_type('subscribe')
    sock = p.connection._sock
    deadline = time.monotonic() + 1.0  # five socket_timeouts of silence
    while time.monotonic() < deadline:
        with pytest.raises(queue.Empty):
            listener.messages.get(timeout=deadline - time.monotonic())
    assert p.connection._sock is sock  # no reconnect, no PONG shown
    client.publish('idle', 'still listening')
    assert listener.get_type('message')['data'] == b'still listening'
    assert listener.messages.empty()
    p.close()
    listener.join(WAIT)


def test_stalled_connection_is_replaced(redis_server, make_client):
    with FaultProxy(redis_server.host, redis_server.port) as proxy:
        client = make_client(host=proxy.host, port=proxy.port,
                             socket_timeout=0.2)
        publisher = make_client()
        p = client.pubsub()
        p.subscribe('s')
        listener = Listener(p)
        listener.start()
        listener.get_type('subscribe')
        proxy.stall('down')
        # the unanswered health-check PING gives the connection up
        wait_until(lambda: proxy.stats()['accepted'] >= 2, what='reconnect')
        proxy.passthrough()
        wait_until(lambda: numsub(publisher, b's') >= 1)
        listener.get_type('subscribe')
        publisher.publish('s', 'through')
        assert listener.get_type('message')['data'] == b'through'
        p.close()
        listener.join(WAIT)
        assert listener.error is None


@pytest.mark.slow
def test_listen_under_connection_chaos(redis_server, make_client):
    # numbered messages are published while a proxy keeps cutting the
    # subscriber's connection (FIN or RST): listen() goes on, what it yields
    # is in order and never twice (pubsub is at most once), and once the
    # cutting stops it is subscribed again to the channel and the pattern
    with FaultProxy(redis_server.host, redis_server.port) as proxy:
        client = make_client(host=proxy.host, port=proxy.port)
        publisher = make_client()
        p = client.pubsub()
        p.subscribe('chaos')
        p.psubscribe('cha*')
        listener = Listener(p)
        listener.start()
        listener.get_type('psubscribe')
        rnd = random.Random(11)
        deadline = time.monotonic() + 3
        next_cut = time.monotonic()
        sent = cuts = 0
        while time.monotonic() < deadline:
            sent += 1
            publisher.publish('chaos', sent)
            if time.monotonic() >= next_cut:
                proxy.drop_all(reset=rnd.random() < 0.5)
                cuts += 1
                next_cut = time.monotonic() + rnd.uniform(0.03, 0.15)
            time.sleep(0.0005)
        wait_until(lambda: numsub(publisher, b'chaos') == 1
                   and publisher.pubsub_numpat() == 1, what='resubscribed')
        publisher.publish('chaos', 'last')
        seen = {'message': [], 'pmessage': []}
        subscribes = 0
        while len(seen['message']) == 0 or seen['message'][-1] != b'last' \
                or len(seen['pmessage']) == 0 \
                or seen['pmessage'][-1] != b'last':
            message = listener.messages.get(timeout=WAIT)
            if message['type'] in seen:
                seen[message['type']].append(message['data'])
            elif message['type'] == 'subscribe':
                subscribes += 1
        p.close()
        listener.join(WAIT)
        assert listener.error is None
        assert cuts > 10 and subscribes > 3  # it did reconnect, many times
        for kind, data in seen.items():
            numbers = [int(d) for d in data[:-1]]
            assert numbers == sorted(set(numbers)), kind
            assert 0 < len(numbers) <= sent


# ---- corrupt replies and races ------------------------------------------------

# A whole message, then bytes no RESP reply starts with.
BATCH_WITH_JUNK = b'*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$6\r\nbefore\r\n?junk\r\n'


def test_corrupt_reply_in_a_batch_costs_get_message_the_connection(
        redis_server, make_client):
    with FaultProxy(redis_server.host, redis_server.port) as proxy:
        client = make_client(host=proxy.host, port=proxy.port)
        publisher = make_client()
        p = client.pubsub()
        p.subscribe('c')
        assert next_message(p) == msg('subscribe', b'c', 1)
        proxy.garbage(BATCH_WITH_JUNK)
        publisher.publish('c', 'replaced by the junk')
        assert next_message(p) == msg('message', b'c', b'before')
        with pytest.raises(InvalidResponse):
            next_message(p)
        # the next call starts on a new connection, subscribed again
        assert next_message(p) == msg('subscribe', b'c', 1)
        publisher.publish('c', 'after')
        assert next_message(p) == msg('message', b'c', b'after')
        assert proxy.stats()['accepted'] == 2
        p.close()


def test_corrupt_reply_in_a_batch_is_retried_by_listen(redis_server,
                                                       make_client):
    with FaultProxy(redis_server.host, redis_server.port) as proxy:
        client = make_client(host=proxy.host, port=proxy.port)
        publisher = make_client()
        p = client.pubsub()
        p.subscribe('c')
        listener = Listener(p)
        listener.start()
        listener.get_type('subscribe')
        proxy.garbage(BATCH_WITH_JUNK)
        publisher.publish('c', 'replaced by the junk')
        assert listener.get_type('message') == msg('message', b'c', b'before')
        assert listener.get_type('subscribe') == msg('subscribe', b'c', 1)
        publisher.publish('c', 'after')
        assert listener.get_type('message') == msg('message', b'c', b'after')
        p.close()
        listener.join(WAIT)
        assert not listener.is_alive() and listener.error is None


def test_held_reply_survives_a_subscribe_from_another_thread(r,
                                                           make_client):
    # get_message()'s fast path leaves what it does not handle itself (here:
    # a reply while a PING is outstanding) to the general path; a
    # subscribe() from another thread in between -- as when a worker thread
    # reads -- must not make that message, or the PONG, vanish
    raced = []

    class Racing(PubSub):
        def _next_reply(self, connection, wait):
            if self._held is not None:
                other = threading.Thread(target=self.subscribe,
                                         args=('other%d' % len(raced),))
                other.start()
                other.join()
                raced.append(True)
            return super(Racing, self)._next_reply(connection, wait)

    p = Racing(r.connection_pool, ignore_subscribe_messages=True)
    p.subscribe('held')
    assert p.get_message(timeout=WAIT) is None  # the confirmation, hidden
    publisher = make_client()
    for word in ('one', 'two', 'three'):
        publisher.publish('held', word)
    p.ping()
    wait_until(lambda: p.connection.can_read(timeout=0.01))  # all arrived
    got = []
    deadline = time.monotonic() + WAIT
    while len(got) < 4 and time.monotonic() < deadline:
        message = p.get_message(timeout=0.1)
        if message is not None:
            got.append((message['type'], message['data']))
    assert raced  # the other thread did subscribe while a reply was held
    assert got == [('message', b'one'), ('message', b'two'),
                   ('message', b'three'), ('pong', b'')]
    assert not p._pings
    p.close()


def test_close_at_any_moment_of_a_listen_ends_it(r):
    # close() lands anywhere on the listener's way back into a read; it
    # must never reconnect there and wait for ever
    pool = r.connection_pool
    for _ in range(100):
        p = r.pubsub()
        p.subscribe('c')
        listener = Listener(p)
        listener.start()
        listener.get_type('subscribe')
        p.close()
        listener.join(WAIT)
        assert not listener.is_alive() and listener.error is None
    assert not pool._in_use_connections


# ---- fork ------------------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, 'fork'), reason='needs fork()')
def test_child_subscribes_on_its_own_connection(r):
    p = r.pubsub(ignore_subscribe_messages=True)
    p.subscribe('parent')
    p.get_message(timeout=1)
    parent_connection = p.connection
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        code = 1
        try:
            p.subscribe('child')
            r.publish('child', 'x')
            message = next_message(p)
            code = 0 if message['channel'] == b'child' else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
    assert p.connection is parent_connection
    r.publish('parent', 'still mine')
    assert next_message(p) == msg('message', b'parent', b'still mine')
    p.close()


@pytest.mark.skipif(not hasattr(os, 'fork'), reason='needs fork()')
def test_child_does_not_repeat_a_batch_the_parent_received(r):
    p = r.pubsub()
    p.subscribe('c')
    messages = p.listen()
    assert next(messages)['type'] == 'subscribe'
    publish_batch(r, ('c', 1), ('c', 2), ('c', 3))
    assert next(messages)['data'] == b'1'
    assert next(messages)['data'] == b'2'  # '3' is received, not yet read
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        code = 1
        try:
            # its own connection, subscribed again; the parent's '3' is not
            # the child's to deliver
            first = next(messages)
            r.publish('c', 'child')
            second = next(messages)
            code = 0 if (first['type'], second['data']) == (
                'subscribe', b'child') else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
    assert next(messages)['data'] == b'3'
    assert next(messages)['data'] == b'child'
    p.close()
