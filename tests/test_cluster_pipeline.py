"""ClusterPipeline on a real 6-node cluster, with both parsers: grouping
by node, results in call order, MOVED and ASK affecting only the commands
that got them, single-slot transactions and WATCH, and a connection lost
mid-pipeline (never an INCR run twice)."""
import threading
import time

import pytest

from redis.exceptions import (
    ClusterCrossSlotError, ConnectionError, MovedError,
    RedisClusterException, ResponseError, TryAgainError, WatchError,
)

import cluster_moves
from cluster_helpers import RecordingConnection
from rawresp import RawReplyError

EVENT_TIMEOUT = 30.0


def sent_to(events, skip=b'READONLY'):
    "The ports of the sends in ``events``, but those of ``skip``"
    return [port for event, port, data in events
            if event == 'send' and skip not in data]


@pytest.fixture
def keys(cluster_servers):
    "{master port: [3 keys in distinct slots]}"
    return cluster_moves.keys_by_owner(cluster_servers, 'pipe:')


def all_keys(keys):
    return [key for port in sorted(keys) for key in keys[port]]


def test_pipeline_across_all_masters_results_in_call_order(rc, keys):
    names = all_keys(keys)
    with rc.pipeline() as pipe:
        for n, key in enumerate(names):
            pipe.set(key, n)
            pipe.incr(key)
            pipe.get(key)
        assert len(pipe) == 3 * len(names)
        results = pipe.execute()
    expected = []
    for n, key in enumerate(names):
        expected += [True, n + 1, str(n + 1).encode()]
    assert results == expected
    assert len(pipe) == 0
    assert [rc.get(key) for key in names] == \
        [str(n + 1).encode() for n in range(len(names))]


def test_reply_callbacks_and_decoding(make_rc):
    rc = make_rc(decode_responses=True)
    pipe = rc.pipeline()
    pipe.hset('{h}hash', 'field', 'value').hgetall('{h}hash')
    pipe.zadd('zset', {'a': 1, 'b': 2})
    pipe.zrange('zset', 0, -1, withscores=True)
    pipe.exists('missing')
    assert pipe.execute() == [1, {'field': 'value'}, 2,
                              [('a', 1.0), ('b', 2.0)], 0]


def test_every_node_written_before_any_is_read(make_rc, keys, recording):
    rc = make_rc(connection_class=RecordingConnection)
    names = all_keys(keys)
    for _ in range(2):  # the second run on connections already open
        del recording[:]
        pipe = rc.pipeline()
        for key in names:
            pipe.set(key, 'v')
        assert pipe.execute() == [True] * len(names)
    sends = sent_to(recording)
    reads = [i for i, event in enumerate(recording) if event[0] == 'read']
    assert sorted(sends) == sorted(keys)  # one send per master
    last_send = max(i for i, event in enumerate(recording)
                    if event[0] == 'send')
    assert last_send < min(reads)
    assert len(reads) == len(names)


def test_empty_pipeline_and_reset(rc):
    pipe = rc.pipeline()
    assert pipe.execute() == []
    pipe.set('a', 1).set('b', 2)
    assert len(pipe) == 2
    pipe.reset()
    assert len(pipe) == 0
    assert pipe.execute() == []
    assert rc.get('a') is None
    assert 'ClusterPipeline' in repr(pipe)


def test_error_reply_raised_with_its_position_after_every_reply(rc):
    rc.set('str', 'x')
    pipe = rc.pipeline()
    pipe.set('a', 1).lpush('str', 'y').set('b', 2)
    with pytest.raises(ResponseError) as raised:
        pipe.execute()
    assert str(raised.value).startswith(
        'Command # 2 (LPUSH str y) of pipeline caused error: WRONGTYPE')
    # the commands around it ran
    assert rc.get('a') == b'1' and rc.get('b') == b'2'


def test_errors_in_place_without_raise_on_error(rc):
    rc.set('str', 'x')
    pipe = rc.pipeline()
    pipe.set('a', 1).lpush('str', 'y').get('a')
    results = pipe.execute(raise_on_error=False)
    assert results[0] is True and results[2] == b'1'
    assert isinstance(results[1], ResponseError)


def test_cross_slot_command_raises_before_anything_is_sent(rc):
    pipe = rc.pipeline()
    pipe.set('first', 1)
    pipe.mget('a', 'b')  # two slots
    with pytest.raises(ClusterCrossSlotError):
        pipe.execute()
    assert rc.get('first') is None
    assert len(pipe) == 0


def test_multi_key_commands_of_one_slot(rc):
    pipe = rc.pipeline()
    pipe.mset({'{t}a': 1, '{t}b': 2}).mget('{t}a', '{t}b')
    pipe.delete('{t}a', '{t}b')
    assert pipe.execute() == [True, [b'1', b'2'], 2]


def test_keyless_command_goes_to_one_node(rc):
    pipe = rc.pipeline()
    pipe.set('a', 1).ping().echo('hi')
    assert pipe.execute() == [True, True, b'hi']


def test_fan_out_command_refused(rc):
    pipe = rc.pipeline()
    pipe.set('a', 1).flushall()
    with pytest.raises(RedisClusterException):
        pipe.execute()
    assert rc.get('a') is None


def test_script_in_pipeline_loaded_on_its_node(rc, cluster_servers):
    for node in cluster_servers.masters():
        node.command('SCRIPT', 'FLUSH')
    incr_by = rc.register_script(
        "return redis.call('INCRBY', KEYS[1], ARGV[1])")
    pipe = rc.pipeline()
    incr_by(keys=['s1'], args=[5], client=pipe)
    incr_by(keys=['s2'], args=[7], client=pipe)
    assert pipe.execute() == [5, 7]


# ---- MOVED and ASK ---------------------------------------------------------

@pytest.fixture
def moved_slot(cluster_servers, rc, keys):
    """A key whose empty slot moved to another master after ``rc`` learnt
    the map: (key, old owner, new owner); moved back afterwards."""
    rc.nodes_manager.initialize()
    source_port = sorted(keys)[0]
    key = keys[source_port][0]
    slot = cluster_servers.key_slot(key)
    by_port = dict((node.port, node) for node in cluster_servers.masters())
    source = by_port[source_port]
    target = by_port[sorted(keys)[1]]
    cluster_moves.move_empty_slot(cluster_servers, slot, source, target)
    yield key, source, target
    target.command('DEL', key)
    cluster_moves.move_empty_slot(cluster_servers, slot, target, source)


def test_moved_rerouted_alone(make_rc, keys, cluster_servers, recording):
    # the map the client learnt is made stale after it was learnt
    rc = make_rc(connection_class=RecordingConnection)
    rc.nodes_manager.initialize()
    ports = sorted(keys)
    key = keys[ports[0]][0]
    slot = cluster_servers.key_slot(key)
    by_port = dict((node.port, node) for node in cluster_servers.masters())
    source, target = by_port[ports[0]], by_port[ports[1]]
    names = all_keys(keys)
    pipe = rc.pipeline()
    for name in names:
        pipe.set(name, 'warm')
    pipe.execute()  # connections to every master are open
    rc.delete(key)
    cluster_moves.move_empty_slot(cluster_servers, slot, source, target)
    try:
        del recording[:]
        pipe = rc.pipeline()
        for name in names:
            pipe.incr(name + ':n')
        pipe.incr(key)
        assert pipe.execute() == [1] * (len(names) + 1)
        sends = sent_to(recording)
        # a first round to every master, then the MOVED command alone
        assert sorted(sends[:3]) == sorted(ports)
        assert sends[3:] == [target.port]
        assert target.command('GET', key) == b'1'
        assert [rc.get(name + ':n') for name in names] == \
            [b'1'] * len(names)
    finally:
        target.command('DEL', key)
        cluster_moves.move_empty_slot(cluster_servers, slot, target, source)


def test_ask_during_migration_sends_asking_to_the_target_once(
        rc, keys, cluster_servers):
    rc.nodes_manager.initialize()
    ports = sorted(keys)
    by_port = dict((node.port, node) for node in cluster_servers.masters())
    source, target = by_port[ports[0]], by_port[ports[1]]
    stays = keys[ports[0]][1]
    slot = cluster_servers.key_slot(stays)
    fresh = '{%s}fresh' % stays  # same slot, not on the source yet
    assert cluster_servers.key_slot(fresh) == slot
    source.command('SET', stays, 'old')
    cluster_moves.start_migration(source, target, slot)
    try:
        pipe = rc.pipeline()
        pipe.get(stays).set(fresh, 'new').incr(keys[ports[2]][0])
        assert pipe.execute() == [b'old', True, 1]
        assert cluster_moves.asking_command(target, 'GET', fresh) == b'new'
        # the source does not have it: it still sends it on
        with pytest.raises(RawReplyError) as asked:
            source.command('GET', fresh)
        assert str(asked.value).startswith('ASK ')
        # ASK does not change the map
        assert rc.nodes_manager.get_node_from_slot(slot).port == source.port
    finally:
        cluster_moves.asking_command(target, 'DEL', fresh)
        source.command('DEL', stays)
        cluster_moves.cancel_migration(source, target, slot)


def test_redirections_not_followed_when_disallowed(rc, moved_slot):
    key, source, target = moved_slot
    pipe = rc.pipeline()
    pipe.set(key, 1)
    results = pipe.execute(raise_on_error=False, allow_redirections=False)
    assert isinstance(results[0], MovedError)
    assert target.command('EXISTS', key) == 0


def test_tryagain_retried_a_bounded_number_of_times(
        make_rc, keys, cluster_servers):
    # MGET over a migrating slot with one key moved already: TRYAGAIN until
    # the migration ends; this one never ends, so the error is the result
    rc = make_rc(cluster_error_retry_attempts=2)
    ports = sorted(keys)
    by_port = dict((node.port, node) for node in cluster_servers.masters())
    source, target = by_port[ports[0]], by_port[ports[1]]
    tag = keys[ports[0]][2]
    slot = cluster_servers.key_slot(tag)
    here, gone = '{%s}here' % tag, '{%s}gone' % tag
    source.command('SET', here, 'h')
    cluster_moves.start_migration(source, target, slot)
    try:
        pipe = rc.pipeline()
        pipe.mget(here, gone).incr(keys[ports[2]][0])
        results = pipe.execute(raise_on_error=False)
        assert isinstance(results[0], TryAgainError)
        assert results[1] == 1
        assert rc.get(keys[ports[2]][0]) == b'1'
    finally:
        source.command('DEL', here)
        cluster_moves.cancel_migration(source, target, slot)


def test_reads_go_to_replicas_with_read_from_replicas(
        make_rc, keys, cluster_servers, recording):
    writer = make_rc()
    names = all_keys(keys)
    for name in names:
        writer.set(name, name)
    for master in cluster_servers.masters():
        # every replica has the writes before they are read
        assert master.command('WAIT', 1, 10000) == 1
    rc = make_rc(read_from_replicas=True,
                 connection_class=RecordingConnection)
    del recording[:]
    pipe = rc.pipeline()
    for name in names:
        pipe.get(name)
    pipe.set('written', 1)
    assert pipe.execute() == [name.encode() for name in names] + [True]
    replica_ports = set(node.port for node in cluster_servers.replicas())
    master_ports = set(node.port for node in cluster_servers.masters())
    sends = sent_to(recording)
    # the GETs to replicas, the SET alone to a master (READONLY, sent by
    # every new connection, left out)
    assert set(sends) - master_ports <= replica_ports
    assert len(set(sends) & replica_ports) == 3
    assert len([port for port in sends if port in master_ports]) == 1
    assert writer.get('written') == b'1'


# ---- transactions and WATCH ----------------------------------------------

def test_transaction_on_one_slot(rc):
    pipe = rc.pipeline(transaction=True)
    pipe.set('{acct}a', 10).incrby('{acct}a', 5).get('{acct}a')
    pipe.rpush('{acct}log', 'x')
    assert pipe.execute() == [True, 15, b'15', 1]


def test_cross_slot_transaction_refused_before_sending(rc):
    pipe = rc.pipeline(transaction=True)
    pipe.set('{a}x', 1).set('{b}y', 2)
    with pytest.raises(ClusterCrossSlotError):
        pipe.execute()
    assert rc.get('{a}x') is None and rc.get('{b}y') is None


def test_transaction_error_aborts_it(rc):
    pipe = rc.pipeline(transaction=True)
    pipe.set('{t}a', 1).incr('{t}a', 'not-a-number')
    with pytest.raises(ResponseError):
        pipe.execute()


def test_watch_multi_exec_on_one_slot(rc):
    rc.set('{w}balance', 10)
    with rc.pipeline() as pipe:
        pipe.watch('{w}balance')
        balance = int(pipe.get('{w}balance'))
        pipe.multi()
        pipe.set('{w}balance', balance - 3)
        pipe.rpush('{w}history', -3)
        assert pipe.execute() == [True, 1]
    assert rc.get('{w}balance') == b'7'


def test_watched_key_changed_raises_watch_error(rc, make_rc):
    other = make_rc()
    rc.set('{w}k', 1)
    with rc.pipeline() as pipe:
        pipe.watch('{w}k')
        other.set('{w}k', 2)
        pipe.multi()
        pipe.set('{w}k', 3)
        with pytest.raises(WatchError):
            pipe.execute()
    assert rc.get('{w}k') == b'2'


def test_watch_then_key_of_another_slot_refused(rc):
    with rc.pipeline() as pipe:
        pipe.watch('{w}k')
        with pytest.raises(ClusterCrossSlotError):
            pipe.get('{other}k')
        pipe.multi()
        pipe.set('{other}k', 1)
        with pytest.raises(ClusterCrossSlotError):
            pipe.execute()
    assert rc.get('{other}k') is None


def test_transaction_sent_again_after_moved(rc, moved_slot):
    # EXEC aborted on the old owner (MOVED while queuing): nothing ran
    key, source, target = moved_slot
    pipe = rc.pipeline(transaction=True)
    pipe.incr(key).incr(key)
    assert pipe.execute() == [1, 2]
    assert target.command('GET', key) == b'2'


def test_watch_follows_moved(rc, moved_slot):
    key, source, target = moved_slot
    with rc.pipeline() as pipe:
        pipe.watch(key)
        assert pipe.get(key) is None
        pipe.multi()
        pipe.set(key, 'x')
        assert pipe.execute() == [True]
    assert target.command('GET', key) == b'x'


def test_transaction_helper_on_one_slot(rc):
    rc.set('{c}n', 3)

    def double(pipe):
        value = int(pipe.get('{c}n'))
        pipe.multi()
        pipe.set('{c}n', value * 2)

    assert rc.transaction(double, '{c}n') == [True]
    assert rc.get('{c}n') == b'6'


# ---- connections lost ------------------------------------------------------

def _client_blocked_on(node, command):
    "The id of ``node``'s client blocked in ``command``, once there is one"
    deadline = time.monotonic() + EVENT_TIMEOUT
    while time.monotonic() < deadline:
        for line in node.command('CLIENT', 'LIST').decode().splitlines():
            fields = dict(item.split('=', 1) for item in line.split(' ')
                          if '=' in item)
            if fields.get('cmd') == command and 'b' in fields.get('flags',
                                                                  ''):
                return fields['id']
        time.sleep(0.01)
    raise AssertionError('no client blocked in %s' % command)


@pytest.mark.parametrize('raise_on_error', [False, True])
def test_connection_killed_mid_pipeline_never_runs_a_write_twice(
        rc, keys, cluster_servers, raise_on_error):
    ports = sorted(keys)
    by_port = dict((node.port, node) for node in cluster_servers.masters())
    node = by_port[ports[0]]
    tag = keys[ports[0]][0]
    other = keys[ports[1]][0]
    pipe = rc.pipeline()
    pipe.incr('{%s}before' % tag)
    pipe.blpop('{%s}never' % tag, 0)  # holds the rest of the batch
    pipe.incr('{%s}after' % tag)
    pipe.get('{%s}before' % tag)  # a read: harmless to send again
    pipe.incr(other)
    outcome = {}

    def run():
        try:
            outcome['results'] = pipe.execute(raise_on_error=raise_on_error)
        except Exception as e:
            outcome['error'] = e

    thread = threading.Thread(target=run)
    thread.start()
    try:
        client_id = _client_blocked_on(node, 'blpop')
        node.command('CLIENT', 'KILL', 'ID', client_id)
    finally:
        thread.join(EVENT_TIMEOUT)
    assert not thread.is_alive()
    if raise_on_error:
        error = outcome['error']
        assert isinstance(error, ConnectionError)
        assert str(error).startswith('Command # 2 (BLPOP ')
    else:
        results = outcome['results']
        assert results[0] == 1
        assert isinstance(results[1], ConnectionError)
        assert isinstance(results[2], ConnectionError)
        assert results[3] == b'1'
        assert results[4] == 1
    # nothing was sent again: each INCR ran at most once
    assert rc.get('{%s}before' % tag) == b'1'
    assert rc.get('{%s}after' % tag) is None
    assert rc.get(other) == b'1'


@pytest.mark.slow
def test_pipeline_follows_a_failover(make_cluster, make_rc):
    # the client knows the old map: the dead master's batch cannot connect
    # (nothing sent), so after a refresh it goes to the promoted replica
    cluster = make_cluster()
    rc = make_rc(cluster)
    keys = cluster_moves.keys_by_owner(cluster, 'fo:')
    names = all_keys(keys)
    pipe = rc.pipeline()
    for name in names:
        pipe.set(name, 'v')
    pipe.execute()
    victim = [node for node in cluster.masters()
              if node.port == sorted(keys)[0]][0]
    promoted = cluster_moves.kill_and_wait_for_failover(cluster, victim)
    try:
        counters = ['{%s}n' % name for name in names]
        pipe = rc.pipeline()
        for counter in counters:
            pipe.incr(counter)
        assert pipe.execute() == [1] * len(names)
        assert [rc.get(counter) for counter in counters] == \
            [b'1'] * len(names)
        for name in keys[victim.port]:
            assert promoted.command('GET', '{%s}n' % name) == b'1'
    finally:
        victim.start()  # (back as a replica)


def test_idle_connection_killed_before_the_pipeline_is_replaced(
        rc, keys, cluster_servers):
    names = all_keys(keys)
    pipe = rc.pipeline()
    for name in names:
        pipe.set(name, 0)
    pipe.execute()
    for node in cluster_servers.masters():
        node.command('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes')
    pipe = rc.pipeline()
    for name in names:
        pipe.incr(name)
    assert pipe.execute() == [1] * len(names)
    assert [rc.get(name) for name in names] == [b'1'] * len(names)
