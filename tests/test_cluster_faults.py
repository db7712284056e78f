"""RedisCluster while the cluster changes under it, each test on a cluster
of its own (node timeout 2 s), with both parsers: a master SIGKILLed under
a multi-threaded INCR load, 50 slots migrated under live reads and writes,
a master stopped and started again, and replica reads while replicas
fail."""
import threading
import time

import pytest

from redis.cluster import RedisCluster
from redis.connection import Connection
from redis.exceptions import ClusterDownError, ConnectionError

import cluster_moves
from rawresp import RawReplyError, parse_info

pytestmark = pytest.mark.slow
# the cluster fixtures (make_cluster: a cluster of the test's own)

# bounds that only prove "did not hang"
HANG = 60.0
# what "a few seconds" after the cluster's own failover may take the client
CLIENT_SLACK = 5.0


class CountingConnection(Connection):
    "Counts the ASKING and CLUSTER SLOTS commands sent by every instance"
    asking = 0
    topology_reads = 0

    def send_packed_command(self, command):
        data = command if isinstance(command, bytes) else b''.join(command)
        if b'ASKING' in data:
            CountingConnection.asking += 1
        if b'SLOTS' in data:
            CountingConnection.topology_reads += 1
        return Connection.send_packed_command(self, command)


@pytest.fixture
def counting():
    CountingConnection.asking = 0
    CountingConnection.topology_reads = 0
    return CountingConnection


@pytest.fixture
def make_client(parser_class):
    made = []

    def make(cluster, **kwargs):
        kwargs.setdefault('parser_class', parser_class)
        kwargs.setdefault('socket_connect_timeout', 1)
        kwargs.setdefault('socket_timeout', 5)
        client = RedisCluster(startup_nodes=cluster.startup_nodes, **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def keys_for(cluster, prefix, per_master):
    return [key for keys in cluster_moves.keys_by_owner(
        cluster, prefix, per_master).values() for key in keys]


def live(cluster):
    return [node for node in cluster.nodes if node.is_running()]


def takeover_done(cluster, victim_port):
    """Whether every live node is ok and gives no slot to ``victim_port``"""
    for node in live(cluster):
        try:
            if parse_info(node.command('CLUSTER', 'INFO')).get(
                    'cluster_state') != 'ok':
                return False
            for entry in node.command('CLUSTER', 'SLOTS'):
                if int(entry[2][1]) == victim_port:
                    return False
        except (OSError, RawReplyError):
            return False
    return True


def wait_for(condition, what, timeout=HANG):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError('timed out waiting for ' + what)
        time.sleep(0.05)
    return time.monotonic()


class Load(object):
    """Threads running ``step(client, key)`` over their own keys until
    stopped; every call noted as (thread, key, started, ended, error)."""

    def __init__(self, client, keys, threads, step):
        self.client = client
        self.step = step
        self.stopped = threading.Event()
        self.records = []
        self.lock = threading.Lock()
        share = [keys[n::threads] for n in range(threads)]
        self.threads = [threading.Thread(target=self.run, args=(mine,))
                        for mine in share]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopped.set()
        for thread in self.threads:
            thread.join(HANG)

    def run(self, keys):
        records = []
        while not self.stopped.is_set():
            for key in keys:
                started = time.monotonic()
                try:
                    self.step(self.client, key)
                except Exception as e:
                    records.append((key, started, time.monotonic(), e))
                else:
                    records.append((key, started, time.monotonic(), None))
        with self.lock:
            self.records.extend(records)

    def wait_ops(self, count):
        "Wait until about ``count`` more calls ran (events, not a timer)"
        done = threading.Event()
        target = [count]
        original = self.step

        def counting_step(client, key):
            result = original(client, key)
            target[0] -= 1
            if target[0] <= 0:
                done.set()
            return result

        self.step = counting_step
        assert done.wait(HANG), 'the load made no progress'
        self.step = original


def test_master_killed_under_incr_load(make_cluster, make_client,
                                       counting):
    cluster = make_cluster()
    rc = make_client(cluster, connection_class=CountingConnection)
    keys = keys_for(cluster, 'incr:', 8)
    victim = cluster.masters()[0]
    victim_keys = set(key for key in keys
                      if cluster.node_for_slot(rc.keyslot(key)) is victim)
    acked = dict((key, 0) for key in keys)
    failed = dict((key, 0) for key in keys)

    def incr(client, key):
        client.incr(key)

    with Load(rc, keys, 6, incr) as load:
        load.wait_ops(600)
        killed_at = time.monotonic()
        victim.kill()
        taken_over_at = wait_for(lambda: takeover_done(cluster, victim.port),
                                 'the replica to take over')
        load.wait_ops(1500)
    for key, started, ended, error in load.records:
        if error is None:
            acked[key] += 1
        else:
            failed[key] += 1
    for key in keys:
        assert int(rc.get(key)) <= acked[key] + failed[key], key
    errors = [(key, started, error) for key, started, ended, error
              in load.records if error is not None]
    # nothing that started once the replica had taken over failed
    late = [e for e in errors if e[1] >= taken_over_at]
    assert late == []
    # every slot served again: the victim's keys too, soon after
    served = [started for key, started, ended, error in load.records
              if error is None and key in victim_keys and
              started > killed_at]
    assert served
    failover = taken_over_at - killed_at
    assert min(served) - killed_at <= failover + CLIENT_SLACK
    # the other slots failed only while the cluster said it was down
    assert [e for e in errors if e[0] not in victim_keys and
            not isinstance(e[2], ClusterDownError)] == []
    # refreshes are shared and rate limited, not one per failing thread
    refreshes = rc.nodes_manager.refresh_count
    window = max(failover, 0.1) + CLIENT_SLACK
    assert 2 <= refreshes <= window / rc.nodes_manager.min_refresh_interval
    assert counting.topology_reads >= refreshes
    print('\nfailover %.2fs, client served the killed master\'s slots '
          'again %.2fs after the kill; %d errors before the takeover, %d '
          'refreshes (%d topology reads)' % (
              failover, min(served) - killed_at, len(errors), refreshes,
              counting.topology_reads))


def slots_with_keys(rc, owner_port, cluster, slots_wanted, per_slot):
    "{slot: [keys]} for slots served by the master on ``owner_port``"
    found = {}
    n = 0
    while len([s for s in found.values() if len(s) >= per_slot]) < \
            slots_wanted:
        key = 'mig:%d' % n
        n += 1
        slot = rc.keyslot(key)
        if cluster.node_for_slot(slot).port != owner_port:
            continue
        keys = found.setdefault(slot, [])
        if len(keys) < per_slot:
            keys.append(key)
    return dict((slot, keys) for slot, keys in found.items()
                if len(keys) >= per_slot)


def migrate_slot(cluster, source, target, slot, keys):
    "Move ``keys`` (the slot's keys) one by one, live, then the slot"
    cluster_moves.start_migration(source, target, slot)
    for key in keys:
        source.command('MIGRATE', target.host, target.port, key, 0, 5000)
    for key in source.command('CLUSTER', 'GETKEYSINSLOT', slot, 1000):
        source.command('MIGRATE', target.host, target.port, key, 0, 5000)
    cluster_moves.end_migration(cluster, source, target, slot)


def test_fifty_slots_migrated_under_live_reads_and_writes(
        make_cluster, make_client, counting):
    cluster = make_cluster()
    rc = make_client(cluster, connection_class=CountingConnection)
    source, target = cluster.masters()[:2]
    slots = slots_with_keys(rc, source.port, cluster, 50, 2)
    keys = [key for keys in slots.values() for key in keys]
    for key in keys:
        rc.set(key, 0)
    expected = dict((key, 0) for key in keys)
    wrong = []

    def incr_then_get(client, key):
        value = client.incr(key)
        if value != expected[key] + 1:
            wrong.append((key, value, expected[key] + 1))
        expected[key] = value
        read = client.get(key)
        if int(read) != value:
            wrong.append((key, read, value))

    with Load(rc, keys, 4, incr_then_get) as load:
        load.wait_ops(200)
        for slot, slot_keys in sorted(slots.items()):
            migrate_slot(cluster, source, target, slot, slot_keys)
        load.wait_ops(400)
    errors = [record for record in load.records if record[3] is not None]
    assert errors == []
    assert wrong == []
    assert counting.asking > 0
    for key in keys:
        assert int(target.command('GET', key)) == expected[key]
    wait_for(lambda: rc.incr(keys[0]) and all(
        rc.nodes_manager.slots_cache[slot][0].port == target.port
        for slot in slots), 'the client to learn the new owners')
    print('\n%d calls, %d ASKING sent, %d refreshes' % (
        len(load.records), counting.asking,
        rc.nodes_manager.refresh_count))


def test_master_stopped_and_started_again(make_cluster, make_client):
    cluster = make_cluster()
    rc = make_client(cluster)
    keys = keys_for(cluster, 'restart:', 4)
    for key in keys:
        rc.set(key, 'v')
    victim = cluster.masters()[0]
    replica = cluster.replicas_of(victim)[0]
    victim_keys = [key for key in keys
                   if cluster.node_for_slot(rc.keyslot(key)) is victim]

    # down long enough for its replica to take over
    victim.process.terminate()
    victim.process.wait(HANG)
    wait_for(lambda: takeover_done(cluster, victim.port),
             'the replica to take over')
    for key in keys:
        assert rc.get(key) == b'v'
        assert rc.set(key, 'w') is True
    assert rc.get_node_from_key(victim_keys[0]).port == replica.port

    # back: it rejoins as a replica of the node that took over
    victim.start()

    def rejoined():
        info = victim.info()
        return info.get('role') == 'slave' and \
            info.get('master_port') == str(replica.port) and \
            info.get('master_link_status') == 'up'

    wait_for(rejoined, 'the old master to rejoin as a replica')

    def learned():
        rc.nodes_manager.initialize()
        node = rc.get_node(victim.host, victim.port)
        return node is not None and node.server_type == 'replica'

    wait_for(learned, 'the client to see the old master as a replica')
    for key in keys:
        assert rc.get(key) == b'w'
    reader = make_client(cluster, read_from_replicas=True)
    for _ in range(4):
        for key in victim_keys:
            assert reader.get(key) == b'w'

    # a restart shorter than the node timeout: no failover, same owner
    replica.process.terminate()
    replica.process.wait(HANG)
    replica.start()
    wait_for(lambda: takeover_done(cluster, -1), 'the cluster to be ok')
    for key in victim_keys:
        assert rc.set(key, 'x') is True
        assert rc.get(key) == b'x'


class PortRecordingConnection(Connection):
    "Notes the port of every GET sent"
    gets = None

    def send_packed_command(self, command):
        data = command if isinstance(command, bytes) else b''.join(command)
        if PortRecordingConnection.gets is not None and b'GET' in data:
            PortRecordingConnection.gets.append(self.port)
        return Connection.send_packed_command(self, command)


@pytest.fixture
def recording_gets():
    PortRecordingConnection.gets = []
    yield PortRecordingConnection.gets
    PortRecordingConnection.gets = None


def test_replica_reads_in_turn_and_back_to_the_primary(
        make_cluster, make_client, recording_gets):
    cluster = make_cluster(replicas=2)
    rc = make_client(cluster, read_from_replicas=True,
                     connection_class=PortRecordingConnection)
    key = 'replicated'
    rc.set(key, 'value')
    master = cluster.node_for_slot(rc.keyslot(key))
    master.command('WAIT', 2, 5000)
    replicas = cluster.replicas_of(master)
    assert len(replicas) == 2
    del recording_gets[:]
    for _ in range(6):
        assert rc.get(key) == b'value'
    assert sorted(set(recording_gets)) == sorted(r.port for r in replicas)
    assert recording_gets.count(replicas[0].port) == 3

    # one replica gone: its reads go elsewhere, no error reaches the caller
    replicas[0].kill()
    del recording_gets[:]
    for _ in range(20):
        assert rc.get(key) == b'value'
    served = set(recording_gets[-10:])
    assert replicas[0].port not in served
    # both gone: the primary serves the reads
    replicas[1].kill()
    del recording_gets[:]
    for _ in range(10):
        assert rc.get(key) == b'value'
    assert recording_gets[-5:] == [master.port] * 5
    assert rc.set(key, 'written') is True
    assert rc.get(key) == b'written'


class GetCountingConnection(Connection):
    "Counts the GET commands sent"
    gets = 0

    def send_packed_command(self, command):
        data = command if isinstance(command, bytes) else b''.join(command)
        if b'GET' in data:
            GetCountingConnection.gets += 1
        return Connection.send_packed_command(self, command)


def test_cluster_down_then_every_node_gone(make_cluster, make_client):
    cluster = make_cluster()
    rc = make_client(cluster, cluster_error_retry_attempts=2,
                     connection_class=GetCountingConnection)
    victim = cluster.masters()[0]
    others = [key for key in keys_for(cluster, 'downed', 1)
              if cluster.node_for_slot(rc.keyslot(key)) is not victim]
    rc.set(others[0], 1)
    # a master and its only replica gone: the cluster is down
    for node in [victim] + cluster.replicas_of(victim):
        node.kill()
    wait_for(lambda: all(parse_info(node.command('CLUSTER', 'INFO')).get(
        'cluster_state') == 'fail' for node in live(cluster)),
        'the cluster to be down')
    GetCountingConnection.gets = 0
    with pytest.raises(ClusterDownError):
        rc.get(others[0])
    # tried once, then again after each of 2 pauses
    assert GetCountingConnection.gets == 3

    for node in cluster.nodes:
        node.kill()
    started = time.monotonic()
    with pytest.raises(ConnectionError):
        rc.get('k')
    assert time.monotonic() - started < HANG
