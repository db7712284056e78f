"""ClusterPubSub on a real 6-node cluster, with both parsers: classic
channels and patterns through one node (a message published on any node
reaches it), and sharded channels (Redis 7) on the node of each channel's
slot, following a slot that moves."""
import threading
import time

import pytest

from redis.exceptions import ConnectionError, PubSubError

import cluster_moves

EVENT_TIMEOUT = 30.0


@pytest.fixture
def sharded(cluster_servers):
    "Skip on a server without sharded pubsub (before Redis 7)"
    version = cluster_servers.nodes[0].info('server')['redis_version']
    if int(version.split('.')[0]) < 7:
        pytest.skip('sharded pubsub needs Redis 7, not %s' % version)
    return cluster_servers


def wait_for(pubsub, reader=None, **kwargs):
    "The next message (subscribe confirmations included), within 30 s"
    read = reader or pubsub.get_message
    deadline = time.monotonic() + EVENT_TIMEOUT
    while time.monotonic() < deadline:
        message = read(timeout=1.0, **kwargs)
        if message is not None:
            return message
    raise AssertionError('no message within %s s' % EVENT_TIMEOUT)


def channels_by_owner(cluster, prefix, count_per_master=1):
    return cluster_moves.keys_by_owner(cluster, prefix, count_per_master)


# ---- classic channels --------------------------------------------------------

def test_subscribe_and_receive_what_any_node_publishes(rc, cluster_servers):
    p = rc.pubsub()
    p.subscribe('news')
    assert wait_for(p) == {'type': 'subscribe', 'pattern': None,
                           'channel': b'news', 'data': 1}
    node = p.get_pubsub_node()
    assert node is not None
    # published on every master, one after the other: each reaches us
    for master in cluster_servers.masters():
        master.command('PUBLISH', 'news', 'from %d' % master.port)
        assert wait_for(p) == {'type': 'message', 'pattern': None,
                               'channel': b'news',
                               'data': b'from %d' % master.port}
    assert rc.publish('news', 'via client') >= 1
    assert wait_for(p)['data'] == b'via client'
    p.close()


def test_patterns_and_decoded_replies(make_rc):
    rc = make_rc(decode_responses=True)
    p = rc.pubsub(ignore_subscribe_messages=True)
    p.psubscribe('ev:*')
    # the confirmation is read (and hidden) before publishing
    assert p.get_message(timeout=1.0) is None
    rc.publish('ev:1', 'x')
    assert wait_for(p) == {'type': 'pmessage', 'pattern': 'ev:*',
                           'channel': 'ev:1', 'data': 'x'}
    p.close()


def test_bound_to_a_given_node(rc):
    node = rc.get_primaries()[0]
    p = rc.pubsub(node=node)
    assert p.get_pubsub_node() == node
    p.subscribe('c')
    wait_for(p)
    assert p.connection.port == node.port
    p.close()
    q = rc.pubsub(host=node.host, port=node.port)
    assert q.get_pubsub_node() == node
    q.close()


def test_unknown_node_refused(rc):
    from redis.exceptions import RedisClusterException
    with pytest.raises(RedisClusterException):
        rc.pubsub(host='127.0.0.1', port=1)


def test_listen(rc):
    p = rc.pubsub()
    p.subscribe('feed')
    messages = p.listen()
    assert next(messages)['type'] == 'subscribe'
    rc.publish('feed', 'one')
    assert next(messages) == {'type': 'message', 'pattern': None,
                              'channel': b'feed', 'data': b'one'}
    p.unsubscribe()
    assert next(messages)['type'] == 'unsubscribe'
    assert list(messages) == []  # nothing subscribed: listen() ends
    p.close()


def test_listen_and_handlers_in_a_thread(rc):
    got = []
    arrived = threading.Event()

    def handler(message):
        got.append(message)
        arrived.set()

    p = rc.pubsub()
    p.subscribe(alerts=handler)
    thread = p.run_in_thread(sleep_time=0.1)
    try:
        deadline = time.monotonic() + EVENT_TIMEOUT
        # the thread reads the confirmation first: publish until received
        while not arrived.is_set() and time.monotonic() < deadline:
            rc.publish('alerts', 'fire')
            arrived.wait(0.2)
    finally:
        thread.stop()
        thread.join(EVENT_TIMEOUT)
    assert got and got[0]['data'] == b'fire'
    assert not thread.is_alive()


# ---- sharded channels --------------------------------------------------------

def test_ssubscribe_routes_each_channel_to_its_slot_owner(rc, sharded):
    by_owner = channels_by_owner(sharded, 'sch:')
    names = [names[0] for names in by_owner.values()]
    p = rc.pubsub()
    p.ssubscribe(*names)
    assert sorted(p.node_pubsub_mapping) == sorted(
        '127.0.0.1:%d' % port for port in by_owner)
    confirmations = [wait_for(p, p.get_sharded_message) for _ in names]
    assert sorted(m['channel'] for m in confirmations) == \
        sorted(name.encode() for name in names)
    assert all(m['type'] == 'ssubscribe' and m['pattern'] is None and
               m['data'] == 1 for m in confirmations)
    by_port = dict((node.port, node) for node in sharded.masters())
    for port, (name,) in by_owner.items():
        # SPUBLISH on the slot's owner
        assert by_port[port].command('SPUBLISH', name, 'hi ' + name) == 1
        assert wait_for(p, p.get_sharded_message) == {
            'type': 'smessage', 'pattern': None,
            'channel': name.encode(), 'data': ('hi ' + name).encode()}
    assert p.get_sharded_message() is None
    p.close()
    assert p.node_pubsub_mapping == {}


def test_spublish_through_the_cluster_client(rc, sharded):
    if not hasattr(rc, 'spublish'):
        pytest.fail('RedisCluster has no spublish()')
    p = rc.pubsub()
    p.ssubscribe('orders')
    assert wait_for(p, p.get_sharded_message)['type'] == 'ssubscribe'
    assert rc.spublish('orders', 'one') == 1
    assert wait_for(p, p.get_sharded_message)['data'] == b'one'
    p.close()


def test_channels_of_one_node_in_several_slots(rc, sharded):
    by_owner = channels_by_owner(sharded, 'multi:', count_per_master=3)
    port = sorted(by_owner)[0]
    names = by_owner[port]
    p = rc.pubsub(ignore_subscribe_messages=True)
    # one node, three slots: one SSUBSCRIBE per slot (a single one would
    # be refused as cross-slot)
    p.ssubscribe(*names)
    node = rc.get_node('127.0.0.1', port)
    while p.get_sharded_message(timeout=0.1, target_node=node):
        pass  # (confirmations are hidden)
    owner = [n for n in sharded.masters() if n.port == port][0]
    for name in names:
        owner.command('SPUBLISH', name, 'x')
    got = [wait_for(p, p.get_sharded_message, target_node=node)['channel']
           for _ in names]
    assert sorted(got) == sorted(name.encode() for name in names)
    p.close()


def test_sunsubscribe(rc, sharded):
    by_owner = channels_by_owner(sharded, 'uns:')
    names = [names[0] for names in by_owner.values()]
    p = rc.pubsub()
    p.ssubscribe(*names)
    for _ in names:
        wait_for(p, p.get_sharded_message)
    p.sunsubscribe(names[0])
    message = wait_for(p, p.get_sharded_message)
    assert message['type'] == 'sunsubscribe'
    assert message['channel'] == names[0].encode()
    assert names[0].encode() not in p.shard_channels
    p.sunsubscribe()
    rest = set(wait_for(p, p.get_sharded_message)['channel']
               for _ in names[1:])
    assert rest == set(name.encode() for name in names[1:])
    assert not p.sharded_subscribed
    p.close()


def test_get_sharded_message_waits_for_any_node(rc, sharded):
    by_owner = channels_by_owner(sharded, 'wait:')
    names = [names[0] for names in by_owner.values()]
    p = rc.pubsub(ignore_subscribe_messages=True)
    p.ssubscribe(*names)
    ready = threading.Event()

    def publish_later():
        ready.wait(EVENT_TIMEOUT)
        owner = [n for n in sharded.masters()
                 if n.port == sorted(by_owner)[-1]][0]
        owner.command('SPUBLISH', by_owner[owner.port][0], 'late')

    thread = threading.Thread(target=publish_later)
    thread.start()
    try:
        # confirmations first (hidden), then a blocking wait over all nodes
        for _ in range(len(names)):
            p.get_sharded_message(timeout=0.5)
        ready.set()
        message = p.get_sharded_message(timeout=EVENT_TIMEOUT)
        while message is None:
            message = p.get_sharded_message(timeout=EVENT_TIMEOUT)
    finally:
        thread.join(EVENT_TIMEOUT)
    assert message['data'] == b'late'
    p.close()


def test_sharded_handlers_in_a_thread(rc, sharded):
    got = []
    arrived = threading.Event()

    def handler(message):
        got.append(message)
        arrived.set()

    p = rc.pubsub()
    p.ssubscribe(tickets=handler)
    with pytest.raises(PubSubError):
        q = rc.pubsub()
        q.ssubscribe('no-handler')
        try:
            q.run_in_thread(sharded_pubsub=True)
        finally:
            q.close()
    thread = p.run_in_thread(sleep_time=0.1, sharded_pubsub=True)
    owner = [n for n in sharded.masters()
             if n.port == rc.get_node_from_key('tickets').port][0]
    try:
        deadline = time.monotonic() + EVENT_TIMEOUT
        while not arrived.is_set() and time.monotonic() < deadline:
            owner.command('SPUBLISH', 'tickets', 't1')
            arrived.wait(0.2)
    finally:
        thread.stop()
        thread.join(EVENT_TIMEOUT)
    assert got[0] == {'type': 'smessage', 'pattern': None,
                      'channel': b'tickets', 'data': b't1'}
    assert not thread.is_alive()


def test_sharded_channel_follows_its_slot_to_another_node(rc, sharded):
    by_owner = channels_by_owner(sharded, 'move:')
    ports = sorted(by_owner)
    name = by_owner[ports[0]][0]
    slot = sharded.key_slot(name)
    by_port = dict((node.port, node) for node in sharded.masters())
    source, target = by_port[ports[0]], by_port[ports[1]]
    p = rc.pubsub()
    p.ssubscribe(name)
    assert wait_for(p, p.get_sharded_message)['type'] == 'ssubscribe'
    cluster_moves.move_empty_slot(sharded, slot, source, target)
    try:
        # the old owner drops the channel and says so ...
        message = wait_for(p, p.get_sharded_message)
        assert message == {'type': 'sunsubscribe', 'pattern': None,
                           'channel': name.encode(), 'data': 0}
        # ... and the channel is subscribed again on the new owner
        message = wait_for(p, p.get_sharded_message)
        assert message['type'] == 'ssubscribe'
        assert name.encode() in p.shard_channels
        assert target.command('SPUBLISH', name, 'moved') == 1
        assert wait_for(p, p.get_sharded_message)['data'] == b'moved'
    finally:
        p.close()
        cluster_moves.move_empty_slot(sharded, slot, target, source)


@pytest.mark.slow
def test_channels_follow_a_failover(make_cluster, make_rc, sharded):
    cluster = make_cluster()
    rc = make_rc(cluster)
    by_owner = channels_by_owner(cluster, 'fail:')
    ports = sorted(by_owner)
    by_port = dict((node.port, node) for node in cluster.masters())
    victim, safe_owner = by_port[ports[0]], by_port[ports[1]]
    doomed, safe = by_owner[ports[0]][0], by_owner[ports[1]][0]
    p = rc.pubsub()
    p.ssubscribe(doomed, safe)
    for _ in range(2):
        assert wait_for(p, p.get_sharded_message)['type'] == 'ssubscribe'
    # classic channels through the node of the first one's slot: the victim
    classic = rc.pubsub()
    classic.subscribe(doomed)
    classic.psubscribe('pat:*')
    assert classic.get_pubsub_node().port == victim.port
    for _ in range(2):
        assert wait_for(classic)['type'] in ('subscribe', 'psubscribe')
    promoted = cluster_moves.kill_and_wait_for_failover(cluster, victim)
    try:
        # the classic subscriptions move to another node: the lost one is
        # reported first, then the confirmations come from the new node
        deadline = time.monotonic() + EVENT_TIMEOUT
        confirmed = []
        while len(confirmed) < 2 and time.monotonic() < deadline:
            try:
                message = classic.get_message(timeout=1.0)
            except ConnectionError:
                continue
            if message is not None:
                confirmed.append(message['type'])
        assert sorted(confirmed) == ['psubscribe', 'subscribe']
        assert classic.get_pubsub_node().port != victim.port
        # (PUBLISH counts the receivers of its own node only)
        safe_owner.command('PUBLISH', doomed, 'classic')
        assert wait_for(classic)['data'] == b'classic'
        promoted.command('PUBLISH', 'pat:1', 'p')
        assert wait_for(classic)['data'] == b'p'

        # reading finds the node lost, the channel's slot on the promoted
        # replica, and subscribes there (a read may report the lost node
        # before that: the loop goes on, as a caller's would)
        deadline = time.monotonic() + EVENT_TIMEOUT
        message = None
        while message is None and time.monotonic() < deadline:
            try:
                message = p.get_sharded_message(timeout=1.0)
            except ConnectionError:
                pass
        assert message == {'type': 'ssubscribe', 'pattern': None,
                           'channel': doomed.encode(), 'data': 1}
        assert promoted.command('SPUBLISH', doomed, 'after') == 1
        assert wait_for(p, p.get_sharded_message)['data'] == b'after'
        assert safe_owner.command('SPUBLISH', safe, 'still') == 1
        assert wait_for(p, p.get_sharded_message)['data'] == b'still'
    finally:
        p.close()
        classic.close()
        victim.start()  # (back as a replica)


def test_repr_and_close(rc, sharded):
    p = rc.pubsub()
    p.ssubscribe('r1')
    p.subscribe('r2')
    text = repr(p)
    assert 'ClusterPubSub' in text and 'shard_channels=1' in text
    p.close()
    assert p.node_pubsub_mapping == {} and not p.subscribed
