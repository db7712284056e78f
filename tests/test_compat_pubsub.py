"""PubSub for code that extends 2.10.6: a subclass that overrides or calls
the single-underscore methods (_execute, _normalize_keys) and the public
hooks (execute_command, parse_response, handle_message, on_connect,
(p)(un)subscribe) sees the calls 2.10.6 made, in its order and with its
arguments; _execute() reconnects a lost connection once; the worker
thread's stop() unsubscribes through the PubSub's own methods."""
import socket

import pytest

from redis.client import PubSub
from redis.connection import Connection
from redis.exceptions import TimeoutError

from test_pubsub import (
    WAIT, Collector, msg, next_message, numsub, publish_batch, wait_until,
)


def shown(value):
    "An argument as the call log writes it"
    if isinstance(value, Connection):
        return 'conn'
    owner = getattr(value, '__self__', None)
    if isinstance(owner, Connection):
        return 'conn.' + value.__name__
    if isinstance(value, dict):
        return dict((key, shown(item)) for key, item in value.items())
    if callable(value):
        return 'handler'
    return value


def recording(base=PubSub, names=('execute_command', '_execute',
                                  'parse_response', '_normalize_keys',
                                  'handle_message', 'on_connect',
                                  'subscribe', 'psubscribe', 'unsubscribe',
                                  'punsubscribe')):
    """A subclass of ``base`` overriding ``names`` to log each call (name,
    positional arguments, keyword arguments) in its ``calls`` and then do
    what ``base`` does."""
    def logged(name):
        def method(self, *args, **kwargs):
            self.calls.append((name, tuple(shown(a) for a in args),
                               shown(kwargs)))
            return getattr(super(cls, self), name)(*args, **kwargs)
        method.__name__ = name
        return method

    namespace = dict((name, logged(name)) for name in names)
    namespace['calls'] = None

    def __init__(self, *args, **kwargs):
        self.calls = []
        base.__init__(self, *args, **kwargs)
    namespace['__init__'] = __init__
    cls = type('Recording', (base,), namespace)
    return cls


def kill_pubsub_clients(admin):
    "CLIENT KILL every subscribed connection; how many there were"
    return admin.execute_command('CLIENT', 'KILL', 'TYPE', 'pubsub')


def cut_sending_side(pubsub):
    "Shut the connection's socket for writing: the next send fails (EPIPE)"
    pubsub.connection._sock.shutdown(socket.SHUT_WR)


# ---- _execute as 2.10.6's extension point ----------------------------------

def test_subclass_sends_through_execute(r):
    class Extra(PubSub):
        def subscribe_quietly(self, channel):
            # as a 2.10.6 subclass would: bypass subscribe()'s bookkeeping
            return self._execute(self.connection,
                                 self.connection.send_command,
                                 'SUBSCRIBE', channel)

    p = Extra(r.connection_pool)
    p.subscribe('a')
    assert p.subscribe_quietly('x') is None
    assert next_message(p) == msg('subscribe', b'a', 1)
    assert next_message(p) == msg('subscribe', b'x', 2)
    assert numsub(r, b'x') == 1
    assert list(p.channels) == [b'a']  # not remembered: it bypassed that
    p.close()


def test_subclass_reads_through_execute(r):
    class Extra(PubSub):
        def read_one(self):
            return self._execute(self.connection,
                                 self.connection.read_response)

    p = Extra(r.connection_pool)
    p.subscribe('a')
    assert p.read_one() == [b'subscribe', b'a', 1]
    r.publish('a', 'hello')
    assert p.read_one() == [b'message', b'a', b'hello']
    p.close()


def test_overrides_see_the_calls_2106_made(r):
    Recording = recording()
    handler = Collector()
    p = Recording(r.connection_pool)
    assert p.subscribe('a', b=handler) is None
    assert p.psubscribe('p*') is None
    assert p.get_message(timeout=WAIT) == msg('subscribe', b'a', 1)
    assert p.get_message(timeout=WAIT) == msg('subscribe', b'b', 2)
    assert p.get_message(timeout=WAIT) == msg('psubscribe', b'p*', 3)
    publish_batch(r, ('a', 'one'), ('b', 'two'), ('px', 'three'))
    assert p.get_message(timeout=WAIT) == msg('message', b'a', b'one')
    assert p.get_message(timeout=WAIT) is None  # to its handler
    assert p.get_message(timeout=WAIT) == msg('pmessage', b'px', b'three',
                                              pattern=b'p*')
    assert handler.messages == [msg('message', b'b', b'two')]
    p.unsubscribe('a')
    p.get_message(timeout=WAIT)
    p.punsubscribe()
    p.get_message(timeout=WAIT)
    r.publish('b', 'four')
    p.unsubscribe()
    assert list(p.listen()) == [msg('unsubscribe', b'b', 0)]
    read = ('_execute', ('conn', 'conn.read_response'), {})

    def got(*response):
        return [('parse_response', (), {'block': False, 'timeout': WAIT}),
                read, ('handle_message', (list(response), False), {})]

    assert p.calls == [
        ('subscribe', ('a',), {'b': 'handler'}),
        ('execute_command', ('SUBSCRIBE', 'a', 'b'), {}),
        ('_execute', ('conn', 'conn.send_command', 'SUBSCRIBE', 'a', 'b'),
         {}),
        ('on_connect', ('conn',), {}),  # a new connection, nothing to redo
        ('_normalize_keys', ({'a': None, 'b': 'handler'},), {}),
        ('psubscribe', ('p*',), {}),
        ('execute_command', ('PSUBSCRIBE', 'p*'), {}),
        ('_execute', ('conn', 'conn.send_command', 'PSUBSCRIBE', 'p*'), {}),
        ('_normalize_keys', ({'p*': None},), {}),
    ] + got(b'subscribe', b'a', 1) + got(b'subscribe', b'b', 2) + \
        got(b'psubscribe', b'p*', 3) + got(b'message', b'a', b'one') + \
        got(b'message', b'b', b'two') + \
        got(b'pmessage', b'p*', b'px', b'three') + [
        # no _normalize_keys() for unsubscribes, names sent as given
        ('unsubscribe', ('a',), {}),
        ('execute_command', ('UNSUBSCRIBE', 'a'), {}),
        ('_execute', ('conn', 'conn.send_command', 'UNSUBSCRIBE', 'a'), {}),
    ] + got(b'unsubscribe', b'a', 2) + [
        ('punsubscribe', (), {}),
        ('execute_command', ('PUNSUBSCRIBE',), {}),
        ('_execute', ('conn', 'conn.send_command', 'PUNSUBSCRIBE'), {}),
    ] + got(b'punsubscribe', b'p*', 1) + [
        ('unsubscribe', (), {}),
        ('execute_command', ('UNSUBSCRIBE',), {}),
        ('_execute', ('conn', 'conn.send_command', 'UNSUBSCRIBE'), {}),
        # listen() passes no ignore_subscribe_messages
        ('parse_response', (), {'block': True}), read,
        ('handle_message', ([b'message', b'b', b'four'],), {}),
        ('parse_response', (), {'block': True}), read,
        ('handle_message', ([b'unsubscribe', b'b', 0],), {}),
    ]
    assert [m['data'] for m in handler.messages] == [b'two', b'four']
    p.close()


@pytest.mark.parametrize('overridden', ['_execute', 'parse_response',
                                        'handle_message'])
def test_an_override_sees_every_reply_of_a_batch(r, overridden):
    # the fast paths take a batch straight from the reader: not for a
    # subclass that must see each reply at 2.10.6's calls
    Recording = recording(names=(overridden,))
    p = Recording(r.connection_pool)
    p.subscribe('c')
    assert next_message(p)['type'] == 'subscribe'
    publish_batch(r, *[('c', n) for n in range(20)])
    got = [next_message(p)['data'] for _ in range(10)]
    messages = p.listen()
    got += [next(messages)['data'] for _ in range(10)]
    assert got == [str(n).encode() for n in range(20)]
    calls = [call for call in p.calls if call[0] == overridden and
             (overridden != '_execute' or 'conn.read_response' in call[1])]
    assert len(calls) == 21
    p.close()


@pytest.mark.parametrize('overriding', ['connection', 'parser'])
def test_an_overriding_read_response_sees_every_reply(
        make_client, parser_class, overriding):
    # 2.10.6 read every reply through Connection.read_response and the
    # parser's read_response: the fast paths must not go around either
    seen = []

    def read_response(self):
        response = super(type(self), self).read_response()
        seen.append(response)
        return response

    if overriding == 'connection':
        Seeing = type('Seeing', (Connection,),
                      {'read_response': read_response})
        client = make_client(connection_class=Seeing)
    else:
        Seeing = type('Seeing', (parser_class,),
                      {'read_response': read_response})
        client = make_client(parser_class=Seeing)
    publisher = make_client()
    p = client.pubsub()
    p.subscribe('a', 'b')
    assert [next_message(p)['type'] for _ in range(2)] == ['subscribe'] * 2
    publish_batch(publisher, *[('a', n) for n in range(20)])
    got = [next_message(p)['data'] for _ in range(10)]
    messages = p.listen()
    got += [next(messages)['data'] for _ in range(10)]
    publish_batch(publisher, *[('b', n) for n in range(20)])
    got += [next(messages)['data'] for _ in range(20)]
    assert got == [str(n).encode() for n in range(20)] * 2
    replies = [reply for reply in seen if isinstance(reply, list)]
    assert replies == [[b'subscribe', b'a', 1], [b'subscribe', b'b', 2]] + [
        [b'message', channel, str(n).encode()]
        for channel in (b'a', b'b') for n in range(20)]
    p.close()


def test_publish_message_types_of_a_subclass_are_honoured(r):
    class MessagesOnly(PubSub):
        # pmessages count as subscribe messages here, and are hidden
        PUBLISH_MESSAGE_TYPES = ('message',)

    p = MessagesOnly(r.connection_pool, ignore_subscribe_messages=True)
    p.subscribe('c')
    p.psubscribe('c*')
    assert p.get_message(timeout=WAIT) is None
    publish_batch(r, ('c', 'one'), ('c', 'two'))
    messages = p.listen()
    assert next(messages) == msg('message', b'c', b'one')
    assert next(messages) == msg('message', b'c', b'two')
    p.close()


def test_handler_put_in_channels_by_hand_is_called(r):
    # as 2.10.6 looked handlers up in self.channels for every message
    p = r.pubsub()
    p.subscribe('c')
    next_message(p)
    handler = Collector()
    p.channels[b'c'] = handler
    publish_batch(r, ('c', 1), ('c', 2))
    assert handler.wait_for(2, pump=p) == msg('message', b'c', b'2')
    p.close()


# ---- reconnecting through _execute -------------------------------------------

def test_a_cut_read_is_reconnected_once_through_execute(r, make_client):
    class Watching(PubSub):
        depth = 0
        events = []

        def _execute(self, connection, command, *args):
            self.depth += 1
            try:
                return super(Watching, self)._execute(connection, command,
                                                      *args)
            except Exception as e:
                self.events.append(('raised', shown(command), type(e)))
                raise
            finally:
                self.depth -= 1

        def on_connect(self, connection):
            self.events.append(('on_connect', self.depth))
            return super(Watching, self).on_connect(connection)

    p = Watching(r.connection_pool)
    p.subscribe('a')
    p.psubscribe('p*')
    next_message(p), next_message(p)
    assert Watching.events == [('on_connect', 1)]  # the first connect
    del Watching.events[:]
    assert kill_pubsub_clients(make_client()) == 1
    # the read fails inside _execute, which connects again (on_connect
    # subscribing again from within it) and reads the first confirmation
    assert p.get_message(timeout=WAIT) == msg('subscribe', b'a', 1)
    assert Watching.events == [('on_connect', 1)]
    assert next_message(p) == msg('psubscribe', b'p*', 2)
    r.publish('a', 'back')
    assert next_message(p) == msg('message', b'a', b'back')
    p.close()


def test_a_failed_send_is_made_again_on_a_new_connection(r):
    Recording = recording(names=('_execute', 'on_connect', 'subscribe'))
    p = Recording(r.connection_pool)
    p.subscribe('a')
    next_message(p)
    first = p.connection._sock
    del p.calls[:]
    cut_sending_side(p)
    p.subscribe('x')
    assert p.connection._sock is not first
    assert p.calls == [
        ('subscribe', ('x',), {}),
        ('_execute', ('conn', 'conn.send_command', 'SUBSCRIBE', 'x'), {}),
        ('on_connect', ('conn',), {}),
        # subscribed again as 2.10.6 did: through subscribe(), keywords
        ('subscribe', (), {'a': None}),
        ('_execute', ('conn', 'conn.send_command', 'SUBSCRIBE', 'a'), {}),
    ]
    assert next_message(p) == msg('subscribe', b'a', 1)
    assert next_message(p) == msg('subscribe', b'x', 2)
    assert sorted(p.channels) == [b'a', b'x']
    p.close()


def test_a_ping_made_again_is_answered_once(r):
    p = r.pubsub(ignore_subscribe_messages=True)
    p.subscribe('a')
    assert p.get_message(timeout=WAIT) is None
    cut_sending_side(p)
    p.ping('again')
    assert p.get_message(timeout=WAIT) is None  # 'a' subscribed again
    assert next_message(p) == msg('pong', None, b'again')
    assert not p._pings
    r.publish('a', 'after')
    assert next_message(p) == msg('message', b'a', b'after')
    p.close()


@pytest.mark.parametrize('retry_on_timeout', [False, True])
def test_a_timeout_is_retried_only_with_retry_on_timeout(make_client,
                                                         retry_on_timeout):
    client = make_client(socket_timeout=0.2,
                         retry_on_timeout=retry_on_timeout)
    p = client.pubsub()
    p.subscribe('a')
    assert next_message(p) == msg('subscribe', b'a', 1)
    connection = p.connection
    # nothing comes: the blocking read times out
    if retry_on_timeout:
        # connected again, subscribed again, and read again
        assert p._execute(connection, connection.read_response) == \
            [b'subscribe', b'a', 1]
        assert connection._sock is not None
    else:
        with pytest.raises(TimeoutError):
            p._execute(connection, connection.read_response)
        assert connection._sock is None
        # the next read connects again
        assert next_message(p) == msg('subscribe', b'a', 1)
    client.publish('a', 'still here')
    assert next_message(p) == msg('message', b'a', b'still here')
    p.close()


def test_reconnect_with_nothing_subscribed_does_not_wait(r, make_client):
    # 2.10.6 read again after connecting, and so waited for ever for a
    # reply that could not come; get_message() keeps to its timeout
    p = r.pubsub()
    p.subscribe('a')
    p.unsubscribe('a')
    assert next_message(p)['type'] == 'subscribe'
    assert next_message(p)['type'] == 'unsubscribe'
    first = p.connection._sock
    p.ping()
    assert next_message(p) == msg('pong', None, b'')
    host, port = first.getsockname()[:2]
    make_client().execute_command('CLIENT', 'KILL', '%s:%d' % (host, port))
    wait_until(lambda: p.connection.can_read(0), what='the close to arrive')
    assert p.get_message(timeout=0.2) is None
    assert p.connection._sock is not None and p.connection._sock is not first
    p.ping('new')
    assert next_message(p) == msg('pong', None, b'new')
    p.close()


def test_names_without_a_str_form_are_subscribed_again(r, make_client):
    # 2.10.6 failed to decode them in on_connect (UnicodeDecodeError)
    Recording = recording(names=('execute_command', 'subscribe'))
    handler = Collector()
    p = Recording(r.connection_pool, ignore_subscribe_messages=True)
    p.subscribe(b'\xff', plain=handler)
    p.channels[b'\xff'] = handler
    assert p.get_message(timeout=WAIT) is None
    assert p.get_message(timeout=WAIT) is None
    del p.calls[:]
    assert kill_pubsub_clients(make_client()) == 1
    wait_until(lambda: p.get_message(timeout=0.05) is None and
               numsub(r, b'\xff') == 1 and numsub(r, b'plain') == 1,
               what='subscribed again')
    assert p.calls[:3] == [
        ('subscribe', (), {'plain': 'handler'}),
        ('execute_command', ('SUBSCRIBE', 'plain'), {}),
        ('execute_command', ('SUBSCRIBE', b'\xff'), {}),
    ]
    publish_batch(r, (b'\xff', 'raw'), ('plain', 'text'))
    handler.wait_for(2, pump=p)
    assert sorted(m['data'] for m in handler.messages) == [b'raw', b'text']
    p.close()


# ---- the worker thread ---------------------------------------------------------

def test_stop_unsubscribes_through_the_pubsub(r):
    Recording = recording(names=('unsubscribe', 'punsubscribe'))
    handler = Collector()
    p = Recording(r.connection_pool)
    p.subscribe(c=handler)
    p.psubscribe(**{'c*': handler})
    thread = p.run_in_thread(sleep_time=0.05)
    r.publish('c', 'x')
    handler.wait_for(2)
    del p.calls[:]
    thread.stop()
    thread.join(WAIT)
    assert not thread.is_alive()
    assert p.calls == [('unsubscribe', (), {}), ('punsubscribe', (), {})]
    assert p.connection is None
    # stopped again, on a closed PubSub: no connection taken to unsubscribe
    thread.stop()
    assert p.calls == [('unsubscribe', (), {}), ('punsubscribe', (), {})]
    assert not r.connection_pool._in_use_connections
