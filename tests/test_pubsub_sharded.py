"""Shard channels (Redis 7: SSUBSCRIBE, SPUBLISH) on a plain PubSub, on one
server: subscribing, messages and their handlers, unsubscribing, the
subscribed flag, a lost connection, the worker thread, and shard channels
side by side with channels and patterns on one connection. (A cluster's
sharded pubsub is in test_cluster_pubsub.py.)"""
import pytest

from redis.client import PubSub
from redis.exceptions import PubSubError

from test_pubsub import (
    WAIT, Collector, Listener, msg, next_message, wait_until,
)


@pytest.fixture(params=['bytes', 'decoded'])
def client(request, make_client):
    "A client with bytes replies, then one with decode_responses=True"
    return make_client(decode_responses=request.param == 'decoded')


def name(client, text):
    "``text`` as the client's replies give it (bytes, or str)"
    if client.connection_pool.connection_kwargs.get('decode_responses'):
        return text
    return text.encode()


def smsg(client, type, channel, data):
    "A message dict as ``client`` gives it; ints stay ints"
    if not isinstance(data, int):
        data = name(client, data)
    return msg(type, name(client, channel), data)


def shardnumsub(client, channel):
    return dict(client.pubsub_shardnumsub(channel))[name(client, channel)]


def publish_batch(client, *messages):
    """(command, channel, data) triples in one MULTI/EXEC, so that the
    subscriber gets them in one write (read as one batch, typically)"""
    pipe = client.pipeline()
    for command, channel, data in messages:
        pipe.execute_command(command, channel, data)
    pipe.execute()


# ---- subscribing and reading ---------------------------------------------

def test_ssubscribe_spublish_and_read(client):
    p = client.pubsub()
    assert not p.subscribed
    p.ssubscribe(['s1', 's2'])
    assert p.subscribed
    assert p.shard_channels == {name(client, 's1'): None,
                                name(client, 's2'): None}
    assert p.channels == {} and p.patterns == {}
    assert next_message(p) == smsg(client, 'ssubscribe', 's1', 1)
    assert next_message(p) == smsg(client, 'ssubscribe', 's2', 2)
    assert client.spublish('s1', 'one') == 1
    assert client.spublish('s2', 'two') == 1
    # get_sharded_message() and get_message() read the same stream
    got = None
    while got is None:
        got = p.get_sharded_message(timeout=WAIT)
    assert got == smsg(client, 'smessage', 's1', 'one')
    assert next_message(p) == smsg(client, 'smessage', 's2', 'two')
    assert p.get_sharded_message() is None
    assert p.get_sharded_message(timeout=0.01) is None
    p.close()


def test_ignore_subscribe_messages_hides_shard_confirmations(client):
    p = client.pubsub(ignore_subscribe_messages=True)
    p.ssubscribe('s')
    wait_until(lambda: shardnumsub(client, 's') == 1)
    p.sunsubscribe('x')  # confirmed too, and hidden as well
    assert client.spublish('s', 'data') == 1
    assert next_message(p) == smsg(client, 'smessage', 's', 'data')
    q = client.pubsub()
    q.ssubscribe('t')
    wait_until(lambda: shardnumsub(client, 't') == 1)
    assert client.spublish('t', 'data') == 1
    message = None
    while message is None:
        message = q.get_sharded_message(ignore_subscribe_messages=True,
                                        timeout=WAIT)
    assert message == smsg(client, 'smessage', 't', 'data')
    p.close()
    q.close()


def test_listen_yields_shard_messages(client):
    p = client.pubsub()
    p.ssubscribe('s')
    wait_until(lambda: shardnumsub(client, 's') == 1)
    assert client.spublish('s', 'hello') == 1
    p.sunsubscribe('s')
    # listen() ends once nothing is subscribed any more
    assert list(p.listen()) == [
        smsg(client, 'ssubscribe', 's', 1),
        smsg(client, 'smessage', 's', 'hello'),
        smsg(client, 'sunsubscribe', 's', 0),
    ]
    assert not p.subscribed
    p.close()


# ---- handlers --------------------------------------------------------------

def test_handler_gets_shard_messages(client):
    p = client.pubsub()
    handled = Collector()
    p.ssubscribe('plain', **{'handled': handled})
    assert p.shard_channels[name(client, 'handled')] is handled
    assert [next_message(p)['type'] for _ in range(2)] == ['ssubscribe'] * 2
    assert client.spublish('handled', 'for the handler') == 1
    assert client.spublish('plain', 'for the caller') == 1
    # the handler's message is not returned; the next one is
    assert next_message(p) == smsg(client, 'smessage', 'plain',
                                   'for the caller')
    assert handled.messages == [smsg(client, 'smessage', 'handled',
                                     'for the handler')]
    p.close()


def test_handler_put_in_shard_channels_by_hand_is_called(client):
    p = client.pubsub()
    p.ssubscribe('s')
    next_message(p)
    handled = Collector()
    p.shard_channels[name(client, 's')] = handled
    client.spublish('s', 'x')
    assert handled.wait_for(1, pump=p) == smsg(client, 'smessage', 's', 'x')
    p.close()


def test_batches_mixing_kinds_reach_their_handlers(client):
    # A batch read at once goes through the fast paths, which leave
    # 'smessage' replies to handle_message(): every message must still
    # come once, in order, to its handler or to the caller.
    p = client.pubsub()
    channel_handler, shard_handler = Collector(), Collector()
    p.subscribe('c', **{'ch': channel_handler})
    p.ssubscribe('s', **{'sh': shard_handler})
    p.psubscribe('p*')
    assert sorted(next_message(p)['type'] for _ in range(5)) == [
        'psubscribe', 'ssubscribe', 'ssubscribe', 'subscribe', 'subscribe']
    batch = []
    for n in range(10):
        batch += [('PUBLISH', 'c', 'c%d' % n), ('SPUBLISH', 's', 's%d' % n),
                  ('PUBLISH', 'ch', 'ch%d' % n),
                  ('SPUBLISH', 'sh', 'sh%d' % n),
                  ('PUBLISH', 'p1', 'p%d' % n)]
    expected = []
    for n in range(10):
        expected += [smsg(client, 'message', 'c', 'c%d' % n),
                     smsg(client, 'smessage', 's', 's%d' % n),
                     dict(smsg(client, 'pmessage', 'p1', 'p%d' % n),
                          pattern=name(client, 'p*'))]
    publish_batch(client, *batch)
    got = [next_message(p) for _ in range(30)]
    messages = p.listen()
    publish_batch(client, *batch)
    got += [next(messages) for _ in range(30)]
    assert got == expected * 2
    assert channel_handler.wait_for(20, pump=p) == \
        smsg(client, 'message', 'ch', 'ch9')
    assert [m['data'] for m in shard_handler.messages] == \
        [name(client, 'sh%d' % n) for n in range(10)] * 2
    assert {m['type'] for m in shard_handler.messages} == {'smessage'}
    p.close()


# ---- unsubscribing and the subscribed flag ---------------------------------

def test_sunsubscribe_named_and_all(client):
    p = client.pubsub()
    p.ssubscribe('a', 'b', 'c')
    assert [next_message(p)['type'] for _ in range(3)] == ['ssubscribe'] * 3
    p.sunsubscribe('a')
    # on the books until the server confirms it
    assert p.pending_unsubscribe_shard_channels == {name(client, 'a')}
    assert name(client, 'a') in p.shard_channels
    assert next_message(p) == smsg(client, 'sunsubscribe', 'a', 2)
    assert p.pending_unsubscribe_shard_channels == set()
    assert set(p.shard_channels) == {name(client, 'b'), name(client, 'c')}
    assert p.subscribed
    p.sunsubscribe()
    first, second = next_message(p), next_message(p)
    assert {first['channel'], second['channel']} == {name(client, 'b'),
                                                      name(client, 'c')}
    assert (first['type'], first['data']) == ('sunsubscribe', 1)
    assert (second['type'], second['data']) == ('sunsubscribe', 0)
    assert p.shard_channels == {} and not p.subscribed
    assert shardnumsub(client, 'b') == 0
    p.close()


def test_subscribed_again_before_the_unsubscribe_is_confirmed(client):
    p = client.pubsub()
    p.ssubscribe('s')
    next_message(p)
    p.sunsubscribe('s')
    p.ssubscribe('s')
    assert next_message(p) == smsg(client, 'sunsubscribe', 's', 0)
    # the confirmation of the unsubscribe keeps the new subscription
    assert p.subscribed and name(client, 's') in p.shard_channels
    assert next_message(p) == smsg(client, 'ssubscribe', 's', 1)
    assert client.spublish('s', 'still here') == 1
    assert next_message(p) == smsg(client, 'smessage', 's', 'still here')
    p.close()


def test_reset_and_close_forget_shard_channels(client):
    p = client.pubsub()
    p.ssubscribe('a', 'b')
    p.sunsubscribe('a')
    assert p.pending_unsubscribe_shard_channels
    assert 'shard_channels=2' in repr(p)
    p.reset()
    assert p.shard_channels == {} and not p.subscribed
    assert p.pending_unsubscribe_shard_channels == set()
    assert p.connection is None
    wait_until(lambda: shardnumsub(client, 'b') == 0,
               what='the server to drop the subscription')
    with client.pubsub() as q:
        q.ssubscribe('c')
        q.subscribe('d')
    assert q.shard_channels == {} and q.channels == {}
    p.ssubscribe('a')
    p.close()
    assert p.shard_channels == {} and not p.subscribed


# ---- classic and shard channels on one PubSub ------------------------------

def test_a_channel_and_a_shard_channel_of_the_same_name(client):
    p = client.pubsub()
    channel_handler, shard_handler = Collector(), Collector()
    p.subscribe(**{'x': channel_handler})
    p.ssubscribe(**{'x': shard_handler})
    p.subscribe('y')
    p.ssubscribe('y')
    # the server counts classic and shard subscriptions apart
    assert [next_message(p) for _ in range(4)] == [
        smsg(client, 'subscribe', 'x', 1),
        smsg(client, 'ssubscribe', 'x', 1),
        smsg(client, 'subscribe', 'y', 2),
        smsg(client, 'ssubscribe', 'y', 2)]
    assert client.publish('x', 'classic') == 1
    assert client.spublish('x', 'sharded') == 1
    assert client.publish('y', 'classic y') == 1
    assert client.spublish('y', 'sharded y') == 1
    assert next_message(p) == smsg(client, 'message', 'y', 'classic y')
    assert next_message(p) == smsg(client, 'smessage', 'y', 'sharded y')
    assert channel_handler.messages == [
        smsg(client, 'message', 'x', 'classic')]
    assert shard_handler.messages == [
        smsg(client, 'smessage', 'x', 'sharded')]

    # dropping the shard channel leaves the channel of the same name
    p.sunsubscribe('x', 'y')
    assert next_message(p) == smsg(client, 'sunsubscribe', 'x', 1)
    assert next_message(p) == smsg(client, 'sunsubscribe', 'y', 0)
    assert p.shard_channels == {}
    assert set(p.channels) == {name(client, 'x'), name(client, 'y')}
    assert p.subscribed
    assert client.publish('y', 'after') == 1
    assert client.spublish('y', 'nobody') == 0
    assert next_message(p) == smsg(client, 'message', 'y', 'after')

    # and the other way round
    p.ssubscribe('z')
    assert next_message(p) == smsg(client, 'ssubscribe', 'z', 1)
    p.unsubscribe()
    assert {next_message(p)['type'] for _ in range(2)} == {'unsubscribe'}
    assert p.channels == {} and p.subscribed
    assert client.spublish('z', 'left') == 1
    assert next_message(p) == smsg(client, 'smessage', 'z', 'left')
    p.close()


def test_patterns_do_not_match_shard_channels(client):
    p = client.pubsub(ignore_subscribe_messages=True)
    p.psubscribe('s*')
    p.ssubscribe('s1')
    wait_until(lambda: shardnumsub(client, 's1') == 1)
    assert client.spublish('s1', 'sharded') == 1
    assert client.publish('s1', 'classic') == 1
    assert next_message(p) == smsg(client, 'smessage', 's1', 'sharded')
    assert next_message(p) == dict(
        smsg(client, 'pmessage', 's1', 'classic'), pattern=name(client, 's*'))
    p.close()


# ---- a lost connection -----------------------------------------------------

def test_shard_channels_come_back_after_client_kill(client, make_client):
    p = client.pubsub()
    handled = Collector()
    p.subscribe('c')
    p.ssubscribe('s', **{'h': handled})
    assert [next_message(p)['type'] for _ in range(3)] == [
        'subscribe', 'ssubscribe', 'ssubscribe']
    admin = make_client()
    assert admin.execute_command('CLIENT', 'KILL', 'TYPE', 'pubsub') == 1
    # the confirmations of the new connection show it subscribed again
    again = [next_message(p) for _ in range(3)]
    assert again[0] == smsg(client, 'subscribe', 'c', 1)
    assert sorted(m['channel'] for m in again[1:]) == \
        [name(client, 'h'), name(client, 's')]
    assert {m['type'] for m in again[1:]} == {'ssubscribe'}
    assert p.shard_channels == {name(client, 's'): None,
                                name(client, 'h'): handled}
    assert client.spublish('s', 'back') == 1
    assert next_message(p) == smsg(client, 'smessage', 's', 'back')
    assert client.spublish('h', 'handled') == 1
    assert handled.wait_for(1, pump=p) == smsg(client, 'smessage', 'h',
                                               'handled')
    p.close()


def test_an_unconfirmed_sunsubscribe_is_done_by_a_new_connection(
        client, make_client):
    p = client.pubsub()
    p.ssubscribe('keep', 'drop')
    assert [next_message(p)['type'] for _ in range(2)] == ['ssubscribe'] * 2
    p.sunsubscribe('drop')
    admin = make_client()
    assert admin.execute_command('CLIENT', 'KILL', 'TYPE', 'pubsub') == 1
    # the old connection may have brought the confirmation before it died
    first = next_message(p)
    if first['type'] == 'sunsubscribe':
        assert first == smsg(client, 'sunsubscribe', 'drop', 1)
        first = next_message(p)
    assert first == smsg(client, 'ssubscribe', 'keep', 1)
    assert p.shard_channels == {name(client, 'keep'): None}
    assert p.pending_unsubscribe_shard_channels == set()
    assert shardnumsub(client, 'drop') == 0
    p.close()


def test_an_undecodable_shard_channel_keeps_its_handler(r, make_client):
    # a bytes name no str stands for is subscribed again as it is
    p = r.pubsub()
    handled = Collector()
    p.ssubscribe(b'\xff')
    p.shard_channels[b'\xff'] = handled
    assert next_message(p) == msg('ssubscribe', b'\xff', 1)
    admin = make_client()
    assert admin.execute_command('CLIENT', 'KILL', 'TYPE', 'pubsub') == 1
    assert next_message(p) == msg('ssubscribe', b'\xff', 1)
    assert r.spublish(b'\xff', 'x') == 1
    assert handled.wait_for(1, pump=p) == msg('smessage', b'\xff', b'x')
    p.close()


def test_listen_gets_shard_messages_after_client_kill(client, make_client):
    p = client.pubsub()
    p.ssubscribe('s')
    listener = Listener(p)
    listener.start()
    assert listener.get_type('ssubscribe') == smsg(client, 'ssubscribe', 's',
                                                   1)
    admin = make_client()
    assert admin.execute_command('CLIENT', 'KILL', 'TYPE', 'pubsub') == 1
    assert listener.get_type('ssubscribe') == smsg(client, 'ssubscribe', 's',
                                                   1)
    assert client.spublish('s', 'back') == 1
    assert listener.get_type('smessage') == smsg(client, 'smessage', 's',
                                                 'back')
    p.close()
    listener.join(WAIT)
    assert not listener.is_alive() and listener.error is None


# ---- the worker thread -----------------------------------------------------

def test_run_in_thread_with_shard_channels(client, make_client):
    p = client.pubsub()
    handled, classic = Collector(), Collector()
    p.ssubscribe(**{'s': handled})
    p.subscribe(**{'c': classic})
    thread = p.run_in_thread(sleep_time=0.01, daemon=True)
    wait_until(lambda: shardnumsub(client, 's') == 1)
    assert client.spublish('s', 'in a thread') == 1
    assert handled.wait_for(1) == smsg(client, 'smessage', 's',
                                       'in a thread')
    # the thread's connection is lost: it subscribes again by itself
    admin = make_client()
    assert admin.execute_command('CLIENT', 'KILL', 'TYPE', 'pubsub') == 1
    wait_until(lambda: shardnumsub(client, 's') == 1,
               what='the shard channel subscribed again')
    assert client.spublish('s', 'after the kill') == 1
    assert handled.wait_for(2) == smsg(client, 'smessage', 's',
                                       'after the kill')
    wait_until(lambda: client.pubsub_numsub('c')[0][1] == 1)
    assert client.publish('c', 'classic') == 1
    assert classic.wait_for(1) == smsg(client, 'message', 'c', 'classic')
    thread.stop()
    thread.join(WAIT)
    assert not thread.is_alive()
    assert p.connection is None and not p.subscribed
    assert p.shard_channels == {}
    assert shardnumsub(client, 's') == 0


def test_run_in_thread_with_only_shard_channels_stops(client):
    p = client.pubsub()
    handled = Collector()
    p.ssubscribe(**{'s': handled})
    thread = p.run_in_thread(daemon=True)
    wait_until(lambda: shardnumsub(client, 's') == 1)
    client.spublish('s', 'one')
    handled.wait_for(1)
    # stop() wakes the loop waiting on a connection with shard channels
    thread.stop()
    thread.join(WAIT)
    assert not thread.is_alive() and not p.subscribed


def test_run_in_thread_needs_shard_channel_handlers(client):
    p = client.pubsub()
    p.ssubscribe('no-handler')
    with pytest.raises(PubSubError, match="Shard channel: 'no-handler'"):
        p.run_in_thread()
    p.close()


# ---- subclasses ------------------------------------------------------------

def test_a_subclass_handle_message_sees_shard_replies(client):
    # no fast path for it: every reply reaches its handle_message()
    seen = []

    class Seeing(PubSub):
        def handle_message(self, response, ignore_subscribe_messages=False):
            seen.append(response[0])
            return PubSub.handle_message(self, response,
                                         ignore_subscribe_messages)

    p = Seeing(client.connection_pool)
    p.ssubscribe('s')
    p.subscribe('c')
    assert [next_message(p)['type'] for _ in range(2)] == [
        'ssubscribe', 'subscribe']
    publish_batch(client, ('SPUBLISH', 's', 1), ('PUBLISH', 'c', 2),
                  ('SPUBLISH', 's', 3))
    assert [next_message(p)['data'] for _ in range(3)] == [
        name(client, '1'), name(client, '2'), name(client, '3')]
    assert seen == [name(client, t) for t in (
        'ssubscribe', 'subscribe', 'smessage', 'message', 'smessage')]
    p.close()
