"""PubSub: the seed's Publish/Subscribe examples, handlers, the three ways to
read, batches of replies, encodings and connection accounting. Lost
connections, faults, races and fork are in test_pubsub_faults.py, which
shares the helpers defined here."""
import queue
import threading
import time

import pytest

from redis.client import PubSub
from redis.exceptions import PubSubError, ResponseError

# how long to wait for an event that should come at once: generous, since
# a loaded CI machine can stall a thread for seconds; a pass never waits it
WAIT = 30.0


def wait_until(predicate, timeout=WAIT, what='condition'):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError('timed out waiting for %s' % what)
        time.sleep(0.005)


def next_message(p, timeout=WAIT, **kwargs):
    "The next message get_message() returns, waiting up to ``timeout``"
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError('no message within %ss' % timeout)
        message = p.get_message(timeout=left, **kwargs)
        if message is not None:
            return message


def msg(type, channel, data, pattern=None):
    return {'type': type, 'channel': channel, 'data': data,
            'pattern': pattern}


def numsub(client, channel):
    return dict(client.pubsub_numsub(channel))[channel]


class Listener(threading.Thread):
    "Runs ``for message in p.listen()`` and queues what it yields"

    def __init__(self, pubsub):
        super(Listener, self).__init__(daemon=True)
        self.pubsub = pubsub
        self.messages = queue.Queue()
        self.error = None

    def run(self):
        try:
            for message in self.pubsub.listen():
                self.messages.put(message)
        except BaseException as e:
            self.error = e

    def get_type(self, type, timeout=WAIT):
        "The next queued message of this type (others are skipped)"
        deadline = time.monotonic() + timeout
        while True:
            message = self.messages.get(
                timeout=max(0.001, deadline - time.monotonic()))
            if message['type'] == type:
                return message


class Collector(object):
    "A message handler that keeps what it is given"

    def __init__(self):
        self.messages = []

    def __repr__(self):
        return 'Collector<%d messages>' % len(self.messages)

    def __call__(self, message):
        self.messages.append(message)

    def wait_for(self, count=1, timeout=WAIT, pump=None):
        """The count-th message handled; ``pump``: a PubSub to read from
        meanwhile (no thread reads it)"""
        def handled():
            if pump is not None:
                assert pump.get_message(timeout=0.01) is None
            return len(self.messages) >= count
        wait_until(handled, timeout, '%d handled message(s)' % count)
        return self.messages[count - 1]


# ---- the seed's examples ---------------------------------------------------

def test_seed_subscribe_publish_unsubscribe(r):
    p = r.pubsub()
    p.subscribe('my-first-channel', 'my-second-channel')
    p.psubscribe('my-*')
    # confirmations come in the order the names were sent
    assert next_message(p) == msg('subscribe', b'my-first-channel', 1)
    assert next_message(p) == msg('subscribe', b'my-second-channel', 2)
    assert next_message(p) == msg('psubscribe', b'my-*', 3)
    assert p.subscribed

    assert r.publish('my-first-channel', 'some data') == 2
    assert next_message(p) == msg('message', b'my-first-channel',
                                  b'some data')
    assert next_message(p) == msg('pmessage', b'my-first-channel',
                                  b'some data', pattern=b'my-*')

    p.unsubscribe()
    p.punsubscribe('my-*')
    first, second = next_message(p), next_message(p)
    # a bare UNSUBSCRIBE lists the channels in the server's own order
    assert {first['channel'], second['channel']} == {
        b'my-first-channel', b'my-second-channel'}
    assert first == msg('unsubscribe', first['channel'], 2)
    assert second == msg('unsubscribe', second['channel'], 1)
    assert next_message(p) == msg('punsubscribe', b'my-*', 0)
    assert not p.subscribed
    assert p.get_message() is None
    p.close()


def test_seed_message_handler(r):
    p = r.pubsub()
    handled = Collector()
    p.subscribe(**{'my-channel': handled})
    assert next_message(p) == msg('subscribe', b'my-channel', 1)
    assert r.publish('my-channel', 'awesome data') == 1
    wait_until(lambda: p.connection.can_read(0), what='the message')
    # the handler got it, so get_message returns None
    assert p.get_message() is None
    assert handled.messages == [msg('message', b'my-channel',
                                    b'awesome data')]
    p.close()


def test_seed_ignore_subscribe_messages(r):
    p = r.pubsub(ignore_subscribe_messages=True)
    p.subscribe('my-channel')
    wait_until(lambda: p.connection.can_read(0), what='the confirmation')
    assert p.get_message() is None  # the confirmation, hidden
    assert r.publish('my-channel', 'my data') == 1
    assert next_message(p) == msg('message', b'my-channel', b'my data')
    p.close()


def test_seed_get_message_event_loop(r):
    p = r.pubsub(ignore_subscribe_messages=True)
    p.subscribe('my-channel')
    r.publish('my-channel', 'one')
    r.publish('my-channel', 'two')
    seen = []
    deadline = time.monotonic() + WAIT
    while len(seen) < 2 and time.monotonic() < deadline:
        message = p.get_message()
        if message:
            seen.append(message['data'])
        time.sleep(0.001)  # the seed's "be nice to the system"
    assert seen == [b'one', b'two']
    p.close()


def test_seed_listen(r):
    p = r.pubsub()
    p.subscribe('my-channel')
    r.publish('my-channel', 'hello')
    p.unsubscribe('my-channel')
    # listen() ends by itself once nothing is subscribed any more
    assert list(p.listen()) == [
        msg('subscribe', b'my-channel', 1),
        msg('message', b'my-channel', b'hello'),
        msg('unsubscribe', b'my-channel', 0),
    ]
    p.close()


def test_seed_run_in_thread(r):
    p = r.pubsub()
    handled = Collector()
    p.subscribe(**{'my-channel': handled})
    thread = p.run_in_thread(sleep_time=0.001)
    wait_until(lambda: numsub(r, b'my-channel') == 1)
    r.publish('my-channel', 'in a thread')
    assert handled.wait_for(1) == msg('message', b'my-channel',
                                      b'in a thread')
    thread.stop()
    thread.join(WAIT)
    assert not thread.is_alive()
    assert p.connection is None and not p.subscribed
    assert numsub(r, b'my-channel') == 0


def test_seed_close_and_pubsub_introspection(r):
    p = r.pubsub()
    p.subscribe('foo', 'bar')
    p.psubscribe('b*')
    for _ in range(3):
        next_message(p)
    assert sorted(r.pubsub_channels()) == [b'bar', b'foo']
    assert r.pubsub_numsub('foo', 'bar') == [(b'foo', 1), (b'bar', 1)]
    assert r.pubsub_numsub('baz') == [(b'baz', 0)]
    assert r.pubsub_numpat() == 1
    p.close()
    wait_until(lambda: r.pubsub_numpat() == 0, what='the server to notice')
    assert r.pubsub_channels() == []


# ---- messages and handlers -------------------------------------------------

def test_channel_and_pattern_messages_in_publish_order(r):
    p = r.pubsub(ignore_subscribe_messages=True)
    p.subscribe('news.sport')
    p.psubscribe('news.*')
    for i in range(3):
        assert r.publish('news.sport', i) == 2
    got = [next_message(p) for _ in range(6)]
    expected = []
    for i in range(3):
        data = str(i).encode()
        expected += [msg('message', b'news.sport', data),
                     msg('pmessage', b'news.sport', data, b'news.*')]
    assert got == expected
    p.close()


def test_pattern_handler(r):
    p = r.pubsub(ignore_subscribe_messages=True)
    handled = Collector()
    p.psubscribe(**{'f*': handled})
    p.subscribe('unhandled')
    r.publish('foo', 'x')
    r.publish('unhandled', 'y')
    # the pattern message went to the handler; the next one comes back
    assert next_message(p) == msg('message', b'unhandled', b'y')
    assert handled.messages == [msg('pmessage', b'foo', b'x', b'f*')]
    p.close()


def test_unsubscribe_then_subscribe_before_reading_keeps_it(r):
    p = r.pubsub(ignore_subscribe_messages=True)
    handled = Collector()
    p.subscribe(**{'c': handled})
    p.unsubscribe('c')
    p.subscribe(**{'c': handled})
    r.publish('c', 'still here')
    deadline = time.monotonic() + WAIT
    while not handled.messages and time.monotonic() < deadline:
        assert p.get_message(timeout=0.1) is None
    assert handled.messages == [msg('message', b'c', b'still here')]
    assert p.subscribed and list(p.channels) == [b'c']
    p.close()


@pytest.mark.parametrize('rounds, kept', [(2, True), (3, True),
                                           (2, False), (3, False)])
def test_unsubscribe_subscribe_churn_before_reading(r, rounds, kept):
    # several unsubscribes on their way at once: the last command decides,
    # whatever the order their confirmations are read in
    p = r.pubsub(ignore_subscribe_messages=True)
    handled = Collector()
    p.subscribe(**{'c': handled})
    p.psubscribe(**{'c*': handled})
    for _ in range(rounds):
        p.unsubscribe('c')
        p.punsubscribe('c*')
        p.subscribe(**{'c': handled})
        p.psubscribe(**{'c*': handled})
    if not kept:
        p.unsubscribe('c')
        p.punsubscribe('c*')
    wait_until(lambda: p.get_message(timeout=0.01) is None and
               numsub(r, b'c') == (1 if kept else 0) and
               r.pubsub_numpat() == (1 if kept else 0))
    for _ in range(4 * rounds + 4):  # every confirmation read
        assert p.get_message(timeout=0.05) is None
    assert list(p.channels) == ([b'c'] if kept else [])
    assert list(p.patterns) == ([b'c*'] if kept else [])
    assert p.subscribed is kept
    if kept:
        r.publish('c', 'still here')
        wait_until(lambda: p.get_message(timeout=0.01) is None and
                   len(handled.messages) == 2)
        assert sorted(m['type'] for m in handled.messages) == \
            ['message', 'pmessage']
    p.close()


def test_run_in_thread_needs_handlers(r):
    p = r.pubsub()
    p.subscribe('no-handler')
    with pytest.raises(PubSubError, match='no-handler'):
        p.run_in_thread()
    p.close()
    p.psubscribe('p*')
    with pytest.raises(PubSubError, match='p\\*'):
        p.run_in_thread()
    p.close()


def test_get_message_before_subscribe_is_refused(r):
    p = r.pubsub()
    with pytest.raises(RuntimeError):
        p.get_message()
    assert list(p.listen()) == []


def test_ping_answers_with_a_pong_message(r):
    p = r.pubsub(ignore_subscribe_messages=True)
    p.subscribe('c')
    p.ping()
    p.ping('hi')
    assert next_message(p) == msg('pong', None, b'')
    assert next_message(p) == msg('pong', None, b'hi')
    p.unsubscribe()
    p.ping()  # not subscribed: the server answers +PONG
    p.ping('hi')
    assert next_message(p) == msg('pong', None, b'')
    assert next_message(p) == msg('pong', None, b'hi')
    p.close()


def test_non_pubsub_command_is_refused_and_connection_stays_usable(r):
    p = r.pubsub(ignore_subscribe_messages=True)
    p.subscribe('c')
    p.execute_command('GET', 'foo')
    with pytest.raises(ResponseError):
        next_message(p)
    connection = p.connection
    r.publish('c', 'after the error')
    assert next_message(p) == msg('message', b'c', b'after the error')
    assert p.connection is connection and connection._sock is not None
    p.close()


# ---- batches: replies already received when read -------------------------

def publish_batch(client, *messages):
    """PUBLISH (channel, data) pairs in one MULTI/EXEC, so the subscriber
    gets their messages in one write (read as one batch, typically)."""
    pipe = client.pipeline()
    for channel, data in messages:
        pipe.publish(channel, data)
    pipe.execute()


def test_batch_with_handlers_patterns_and_plain_channels(r):
    p = r.pubsub()
    handled = Collector()
    p.subscribe('plain', **{'handled': handled})
    p.psubscribe('pat*')
    assert [next_message(p)['type'] for _ in range(3)] == [
        'subscribe', 'subscribe', 'psubscribe']
    publish_batch(r, ('plain', 'a'), ('handled', 'b'), ('pattern', 'c'),
                  ('plain', 'd'))
    messages = p.listen()
    assert [next(messages) for _ in range(3)] == [
        msg('message', b'plain', b'a'),
        msg('pmessage', b'pattern', b'c', b'pat*'),
        msg('message', b'plain', b'd')]
    assert handled.messages == [msg('message', b'handled', b'b')]
    p.close()


def test_unsubscribe_confirmation_in_a_batch_ends_listen(rd):
    p = rd.pubsub()
    p.subscribe('c')
    assert next_message(p) == msg('subscribe', 'c', 1)
    publish_batch(rd, ('c', 1), ('c', 2))
    p.unsubscribe('c')
    assert list(p.listen()) == [
        msg('message', 'c', '1'), msg('message', 'c', '2'),
        msg('unsubscribe', 'c', 0)]
    p.close()


@pytest.mark.parametrize('read', ['listen', 'get_message'])
def test_error_reply_after_a_message_is_raised_in_turn(r, read):
    p = r.pubsub(ignore_subscribe_messages=True)
    p.subscribe('c')
    assert p.get_message(timeout=WAIT) is None  # the confirmation
    r.publish('c', 'before')
    p.execute_command('GET', 'k')  # refused in subscribed mode
    p.ping('after')  # on the same connection: comes after the error
    if read == 'listen':
        def next_one():
            return next(p.listen())
    else:
        def next_one():
            return next_message(p)
    assert next_one() == msg('message', b'c', b'before')
    with pytest.raises(ResponseError):
        next_one()
    assert next_one() == msg('pong', None, b'after')
    p.close()


def test_subclass_handle_message_sees_every_reply(r):
    class Counting(PubSub):
        seen = 0

        def handle_message(self, response, ignore_subscribe_messages=False):
            self.seen += 1
            return super(Counting, self).handle_message(
                response, ignore_subscribe_messages)

    p = Counting(r.connection_pool)
    p.subscribe('c')
    messages = p.listen()
    assert next(messages)['type'] == 'subscribe'
    publish_batch(r, ('c', 1), ('c', 2), ('c', 3))
    assert [next(messages)['data'] for _ in range(3)] == [b'1', b'2', b'3']
    assert p.seen == 4
    p.close()


def test_batches_are_taken_from_the_reader(r):
    # the fast path needs the parser's _reader and _next_response
    # (redis.connection): a rename there would silently slow pubsub down
    from redis.pubsub_read import _reader_gets
    p = r.pubsub()
    p.subscribe('c')
    next_message(p)
    assert _reader_gets(p.connection) is not None
    assert p._fast is not None and p._fast[1] == _reader_gets(p.connection)
    p.close()


# ---- timing ----------------------------------------------------------------

def test_get_message_timeout_waits_that_long(r):
    p = r.pubsub(ignore_subscribe_messages=True)
    p.subscribe('quiet')
    p.get_message(timeout=1)  # the hidden confirmation
    for timeout in (0.2, 0.5):
        start = time.monotonic()
        assert p.get_message(timeout=timeout) is None
        elapsed = time.monotonic() - start
        # the lower bound is the point; the upper one only proves the wait
        # ended (nothing is ever published here)
        assert timeout <= elapsed < timeout + 30
    # no timeout: a poll, where a blocking read would never return
    start = time.monotonic()
    assert p.get_message() is None
    assert time.monotonic() - start < 30
    p.close()


def test_get_message_returns_as_soon_as_a_message_arrives(r, make_client):
    p = r.pubsub(ignore_subscribe_messages=True)
    p.subscribe('soon')
    p.get_message(timeout=1)  # the hidden confirmation
    publisher = make_client()
    timer = threading.Timer(0.2, publisher.publish, ('soon', 'now'))
    start = time.monotonic()
    timer.start()
    message = p.get_message(timeout=120)
    elapsed = time.monotonic() - start
    timer.join()
    assert message == msg('message', b'soon', b'now')
    # returned on the message, long before its own 120 s timeout
    assert 0.15 < elapsed < 60
    p.close()


# ---- encodings ------------------------------------------------------------

def test_unicode_and_binary_without_decoding(r):
    p = r.pubsub(ignore_subscribe_messages=True)
    handled = Collector()
    p.subscribe('\u00fcnicode-\u20ac', **{'h\u00e4ndled': handled})
    p.subscribe(b'\xff\x00binary')
    p.psubscribe('\u00fc*')
    assert r.publish('\u00fcnicode-\u20ac', '\u2603 data') == 2
    assert r.publish(b'\xff\x00binary', b'\x80\x00\xfe') == 1
    assert r.publish('h\u00e4ndled', 'x') == 1
    channel = '\u00fcnicode-\u20ac'.encode('utf-8')
    data = '\u2603 data'.encode('utf-8')
    assert next_message(p) == msg('message', channel, data)
    assert next_message(p) == msg('pmessage', channel, data,
                                  '\u00fc*'.encode('utf-8'))
    assert next_message(p) == msg('message', b'\xff\x00binary',
                                  b'\x80\x00\xfe')
    assert handled.wait_for(1, pump=p) == msg(
        'message', 'h\u00e4ndled'.encode(), b'x')
    assert set(p.channels) == {channel, b'\xff\x00binary',
                               'h\u00e4ndled'.encode()}
    p.close()


def test_unicode_with_decoding(rd):
    p = rd.pubsub(ignore_subscribe_messages=True)
    handled = Collector()
    p.subscribe('\u00fcnicode', **{'h\u00e4ndled': handled})
    p.psubscribe('\u00fc*')
    assert rd.publish('\u00fcnicode', '\u2603') == 2
    assert rd.publish('h\u00e4ndled', 'd') == 1
    assert next_message(p) == msg('message', '\u00fcnicode', '\u2603')
    assert next_message(p) == msg('pmessage', '\u00fcnicode', '\u2603',
                                  '\u00fc*')
    assert handled.wait_for(1, pump=p) == msg('message', 'h\u00e4ndled', 'd')
    # names given as bytes are kept as the str the server's messages carry
    p.subscribe(b'bytes-name')
    assert set(p.channels) == {'\u00fcnicode', 'h\u00e4ndled', 'bytes-name'}
    p.close()


def test_channel_names_use_the_client_encoding(make_client):
    latin = make_client(encoding='latin-1')
    p = latin.pubsub(ignore_subscribe_messages=True)
    p.subscribe('caf\u00e9')
    plain = make_client()
    wait_until(lambda: numsub(plain, b'caf\xe9') == 1)
    assert plain.publish(b'caf\xe9', b'\xe9') == 1
    assert next_message(p) == msg('message', b'caf\xe9', b'\xe9')
    p.close()
    decoding = make_client(encoding='latin-1', decode_responses=True)
    p = decoding.pubsub(ignore_subscribe_messages=True)
    p.subscribe('caf\u00e9')
    wait_until(lambda: numsub(plain, b'caf\xe9') == 1)
    plain.publish(b'caf\xe9', b'\xe9')
    assert next_message(p) == msg('message', 'caf\u00e9', '\u00e9')
    p.close()


# ---- many channels, connection accounting ---------------------------------

def test_a_thousand_channels(r):
    p = r.pubsub()
    names = ['channel:%d' % i for i in range(1000)]
    p.subscribe(*names)
    for i, name in enumerate(names):
        assert next_message(p) == msg('subscribe', name.encode(), i + 1)
    for name in names[::100]:
        assert r.publish(name, name) == 1
    for name in names[::100]:
        assert next_message(p) == msg('message', name.encode(),
                                      name.encode())
    assert r.pubsub_numsub(*names[-3:]) == [(n.encode(), 1)
                                            for n in names[-3:]]
    p.unsubscribe()
    counts = [next_message(p)['data'] for _ in names]
    assert counts == list(range(999, -1, -1))
    assert not p.subscribed
    p.close()


def test_close_and_context_manager_return_the_connection(r):
    pool = r.connection_pool
    p = r.pubsub()
    assert p.connection is None  # taken on the first subscribe
    p.subscribe('c')
    connection = p.connection
    assert connection in pool._in_use_connections
    p.close()
    assert p.connection is None and not p.subscribed
    assert connection in pool._available_connections
    # disconnected and without callbacks: clean for the next user
    assert connection._sock is None and connection._connect_callbacks == []
    assert r.ping()

    with r.pubsub() as p:
        p.psubscribe('x*')
        assert len(pool._in_use_connections) == 1
    assert not pool._in_use_connections
    assert p.connection is None and not p.patterns


def test_close_from_another_thread_ends_listen(r):
    pool = r.connection_pool
    p = r.pubsub()
    p.subscribe('c')
    listener = Listener(p)
    listener.start()
    listener.get_type('subscribe')
    connection = p.connection
    p.close()  # while listen() waits on the socket
    listener.join(WAIT)
    assert not listener.is_alive() and listener.error is None
    # given back once, and only after the read on it ended
    assert pool._available_connections.count(connection) == 1
    assert not pool._in_use_connections


def test_abandoned_pubsub_gives_its_connection_back(r):
    pool = r.connection_pool
    p = r.pubsub()
    p.subscribe('c')
    del p
    assert not pool._in_use_connections
