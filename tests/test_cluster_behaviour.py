"""RedisCluster on the session's real cluster, with both parsers: MOVED,
ASK and TRYAGAIN (slots moved over raw sockets and moved back), replica
reads, threads, fork, blocking pops, reprs and bad input."""
import os
import socket
import threading
import time

import pytest

import redis
from redis.cluster import ClusterNode, RedisCluster
from redis.exceptions import (
    AuthenticationError, RedisClusterException,
    RedisError, TryAgainError,
)

import cluster_moves
from cluster_helpers import (
    RecordingConnection, keys_on_every_master, sends,
)

# the cluster fixtures, shared by every module (one session cluster)

# bounds that only prove "did not hang"
HANG = 30.0


# ---- redirects --------------------------------------------------------------

def owner_and_other(cluster, slot):
    owner = cluster.node_for_slot(slot)
    other = [m for m in cluster.masters() if m.port != owner.port][0]
    return owner, other


def test_moved_patches_the_slot_and_schedules_a_refresh(make_rc, recording,
                                                        cluster_servers):
    rc = make_rc(connection_class=RecordingConnection)
    key = 'moving-key'
    slot = rc.keyslot(key)
    owner, other = owner_and_other(cluster_servers, slot)
    cluster_moves.move_empty_slot(cluster_servers, slot, owner, other)
    try:
        del recording[:]
        assert rc.set(key, 'here') is True
        ports = [event[1] for event in sends(recording, b'here')]
        assert ports == [owner.port, other.port]
        assert rc.nodes_manager.slots_cache[slot][0].port == other.port
        assert rc.nodes_manager.refresh_due
        # the next commands run the refresh (once the rate limit allows)
        deadline = time.monotonic() + HANG
        while rc.nodes_manager.refresh_due and time.monotonic() < deadline:
            assert rc.get(key) == b'here'
            time.sleep(0.01)
        assert rc.nodes_manager.refresh_count == 2
        assert len(sends(recording, b'CLUSTER')) == 1
        assert other.command('GET', key) == b'here'
        other.command('DEL', key)
    finally:
        cluster_moves.move_empty_slot(cluster_servers, slot, other, owner)


def test_moved_with_reinitialize_steps_0_only_patches(make_rc,
                                                      cluster_servers):
    rc = make_rc(reinitialize_steps=0)
    key = 'patched-key'
    slot = rc.keyslot(key)
    owner, other = owner_and_other(cluster_servers, slot)
    cluster_moves.move_empty_slot(cluster_servers, slot, owner, other)
    try:
        assert rc.set(key, 1) is True
        assert rc.get(key) == b'1'
        assert rc.nodes_manager.refresh_count == 1
        other.command('DEL', key)
    finally:
        cluster_moves.move_empty_slot(cluster_servers, slot, other, owner)


def test_ask_goes_to_the_target_once_without_changing_the_map(
        make_rc, recording, cluster_servers):
    rc = make_rc(connection_class=RecordingConnection)
    key = 'asked-key'
    slot = rc.keyslot(key)
    owner, other = owner_and_other(cluster_servers, slot)
    cluster_moves.start_migration(owner, other, slot)
    try:
        del recording[:]
        # not on the source: it answers ASK, the target gets ASKING + SET
        assert rc.set(key, 'v') is True
        asked = sends(recording, b'ASKING')
        assert [event[1] for event in asked] == [other.port]
        assert rc.nodes_manager.slots_cache[slot][0].port == owner.port
        assert not rc.nodes_manager.refresh_due
        assert cluster_moves.asking_command(other, 'GET', key) == b'v'
        assert rc.get(key) == b'v'
        cluster_moves.asking_command(other, 'DEL', key)
    finally:
        cluster_moves.cancel_migration(owner, other, slot)


def test_refreshes_are_single_flight_and_rate_limited(make_rc, recording):
    rc = make_rc(connection_class=RecordingConnection)
    manager = rc.nodes_manager
    manager.min_refresh_interval = 0
    before = manager.refresh_count
    # many threads that saw a node fail at once: one of them refreshes,
    # the others use its answer
    failed_at = time.monotonic()
    barrier = threading.Barrier(8)
    outcomes = []

    def after_failure():
        barrier.wait(HANG)
        outcomes.append(manager.refresh_after_failure(failed_at))

    del recording[:]
    threads = [threading.Thread(target=after_failure) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(HANG)
    assert outcomes == [True] * 8
    assert manager.refresh_count == before + 1
    assert len(sends(recording, b'SLOTS')) == 1
    # a scheduled refresh waits for the interval since the last try
    manager.min_refresh_interval = 60
    manager.refresh_due = True
    rc.ping()
    manager.refresh_if_due()
    assert manager.refresh_due
    assert manager.refresh_count == before + 1
    manager.min_refresh_interval = 0
    rc.ping()
    assert not manager.refresh_due
    assert manager.refresh_count == before + 2


def test_topology_is_asked_of_a_random_node(make_rc, recording):
    asked = set()
    for _ in range(20):
        del recording[:]
        rc = make_rc(connection_class=RecordingConnection)
        asked.add(sends(recording, b'SLOTS')[0][1])
        rc.nodes_manager.initialize()
        asked.add(sends(recording, b'SLOTS')[-1][1])
        rc.close()
    # 40 reads from one node of 6 by chance: about 6 / 6 ** 40
    assert len(asked) > 1


def test_tryagain_is_retried_then_raised(make_rc, recording,
                                         cluster_servers):
    rc = make_rc(connection_class=RecordingConnection,
                 cluster_error_retry_attempts=2)
    slot = rc.keyslot('{try}a')
    owner, other = owner_and_other(cluster_servers, slot)
    owner.command('SET', '{try}a', 1)
    cluster_moves.start_migration(owner, other, slot)
    try:
        del recording[:]
        # one key on the source, one not: TRYAGAIN each time
        with pytest.raises(TryAgainError):
            rc.mget('{try}a', '{try}b')
        assert len(sends(recording, b'MGET')) == 3
    finally:
        cluster_moves.cancel_migration(owner, other, slot)
        owner.command('DEL', '{try}a')


# ---- replicas, threads, fork ------------------------------------------------

def test_read_from_replicas(make_rc, recording, cluster_servers):
    rc = make_rc(read_from_replicas=True,
                 connection_class=RecordingConnection)
    keys = keys_on_every_master(cluster_servers, 'replica-read', 1)
    for port, (key,) in keys.items():
        rc.set(key, 'value')
        master = [m for m in cluster_servers.masters() if m.port == port][0]
        master.command('WAIT', 1, 5000)
        replica = cluster_servers.replicas_of(master)[0]
        start = len(recording)
        assert rc.get(key) == b'value'
        get_ports = [e[1] for e in sends(recording[start:], b'GET')]
        assert get_ports == [replica.port]
        # (sent by the connect callback, so recorded after the command
        # whose send connected)
        assert [e for e in sends(recording, b'READONLY')
                if e[1] == replica.port]
        start = len(recording)
        assert rc.append(key, '!') == 6
        assert [e[1] for e in sends(recording[start:], b'APPEND')] == [port]


def test_threads_share_one_client(rc):
    keys = ['thread-%d' % n for n in range(12)]
    errors = []

    def work():
        try:
            for _ in range(100):
                for key in keys:
                    rc.incr(key)
        except Exception as e:  # pragma: no cover (reported below)
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(HANG)
    assert not errors
    assert rc.mget_nonatomic(keys) == [b'600'] * len(keys)


def test_fork_safe(rc):
    rc.set('before-fork', 1)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child reports through the pipe)
        try:
            ok = rc.incr('before-fork') == 2 and rc.get('fork-child') is None
            os.write(writer, b'ok' if ok else b'bad')
        except BaseException as e:
            os.write(writer, repr(e).encode()[:200])
        finally:
            os._exit(0)
    os.close(writer)
    os.waitpid(pid, 0)
    assert os.read(reader, 256) == b'ok'
    os.close(reader)
    assert rc.incr('before-fork') == 3
    assert rc.dbsize(target_nodes=rc.PRIMARIES) == 1


# ---- bad input --------------------------------------------------------------

def closed_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def test_an_unknown_startup_node_is_skipped(cluster_servers, parser_class):
    good = cluster_servers.startup_nodes[0]
    for _ in range(5):
        client = RedisCluster(startup_nodes=[
            {'host': '127.0.0.1', 'port': closed_port()}, good],
            parser_class=parser_class, socket_connect_timeout=2)
        try:
            assert len(client.get_nodes()) == 6
            assert client.ping() is True
        finally:
            client.close()


def test_all_startup_nodes_down(parser_class):
    ports = [closed_port(), closed_port()]
    started = time.monotonic()
    with pytest.raises(RedisClusterException) as info:
        RedisCluster(startup_nodes=[ClusterNode('127.0.0.1', port)
                                    for port in ports],
                     parser_class=parser_class, socket_connect_timeout=1)
    assert time.monotonic() - started < HANG
    message = str(info.value)
    assert 'cannot be connected' in message
    for port in ports:
        assert '127.0.0.1:%d' % port in message


def test_a_silent_startup_node_fails_within_its_timeouts(parser_class):
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(5)
    try:
        started = time.monotonic()
        with pytest.raises(RedisClusterException) as info:
            RedisCluster(host='127.0.0.1', port=listener.getsockname()[1],
                         parser_class=parser_class,
                         socket_connect_timeout=0.5, socket_timeout=0.5)
        assert time.monotonic() - started < HANG
        assert 'Timeout' in str(info.value)
    finally:
        listener.close()


def test_a_server_not_in_cluster_mode(redis_server, parser_class):
    with pytest.raises(RedisClusterException) as info:
        RedisCluster(host=redis_server.host, port=redis_server.port,
                     parser_class=parser_class)
    assert 'Cluster mode is not enabled' in str(info.value)


def test_other_bad_arguments(cluster_servers):
    with pytest.raises(RedisClusterException):
        RedisCluster()
    good = cluster_servers.startup_nodes
    with pytest.raises(RedisClusterException):
        RedisCluster(startup_nodes=good, db=1)
    with pytest.raises(RedisClusterException):
        RedisCluster(startup_nodes=good, unix_socket_path='/tmp/x.sock')
    with pytest.raises(RedisClusterException):
        RedisCluster.from_url('unix:///tmp/x.sock')


@pytest.fixture
def cluster_password(cluster_servers):
    "Every node asks for password 'sekrit' during the test"
    for node in cluster_servers.nodes:
        node.command('CONFIG', 'SET', 'requirepass', 'sekrit')
        node.password = 'sekrit'
    try:
        yield 'sekrit'
    finally:
        for node in cluster_servers.nodes:
            node.command('CONFIG', 'SET', 'requirepass', '')
            node.password = None


def test_passwords_stay_out_of_reprs_and_errors(cluster_servers,
                                                cluster_password,
                                                parser_class):
    rc = RedisCluster(startup_nodes=cluster_servers.startup_nodes,
                      password=cluster_password, parser_class=parser_class)
    try:
        rc.set('secret-key', 1)
        texts = [repr(rc), repr(rc.nodes_manager)]
        for node in rc.get_nodes():
            texts += [repr(node), repr(node.redis_connection),
                      repr(node.connection_pool)]
        assert all(cluster_password not in text for text in texts)
        assert '127.0.0.1:%d' % cluster_servers.nodes[0].port in repr(rc)
    finally:
        rc.close()
    with pytest.raises((AuthenticationError, RedisError)) as info:
        RedisCluster(startup_nodes=cluster_servers.startup_nodes,
                     password='wrong-sekrit', parser_class=parser_class)
    assert 'wrong-sekrit' not in str(info.value)
    assert 'wrong-sekrit' not in repr(info.value)


def test_blocking_pop_outlasts_socket_timeout(make_rc):
    rc = make_rc(socket_timeout=0.5)
    started = time.monotonic()
    assert rc.blpop('empty-list', timeout=1) is None
    assert time.monotonic() - started >= 0.9
    rc.rpush('full-list', 'x')
    assert rc.blpop('full-list', timeout=1) == (b'full-list', b'x')


def test_monitor_a_node(rc):
    node = rc.get_node_from_key('watched')
    with rc.monitor(target_node=node) as monitor:
        rc.set('watched', 1)
        command = monitor.next_command()
        while 'watched' not in command['command']:
            command = monitor.next_command()
    assert command['command'] == 'SET watched 1'


def test_repr_of_nodes_and_client(rc):
    node = rc.get_primaries()[0]
    assert repr(node) == 'ClusterNode<host=%s,port=%s,server_type=primary>' \
        % (node.host, node.port)
    assert node == ClusterNode(node.host, node.port)
    assert hash(node) == hash(ClusterNode(node.host, node.port))
    assert node != ClusterNode(node.host, node.port + 1)
    assert repr(rc).startswith('RedisCluster<')
    assert redis.cluster.RedisCluster is RedisCluster
