"""RedisCluster on the session's real 6-node cluster (3 masters, 3
replicas), with both parsers: topology, routing by slot and keyslot against
the server, keyless commands on the default node or fanned out with merged
replies, cross-slot errors before anything is sent, the non-atomic
multi-key commands, scan_iter, locks and scripts."""
import random
import time

import pytest

from redis.cluster import ClusterNode, RedisCluster, StrictRedisCluster
from redis.exceptions import (
    CLUSTER_EXCEPTION_CLASSES, ClusterCrossSlotError, LockError,
)

from cluster_helpers import (
    RecordingConnection, keys_on_every_master, raw_on, sends,
)

# the cluster fixtures, shared by every module (one session cluster)


# ---- topology and routing ----------------------------------------------

def test_learns_the_topology(rc, cluster_servers):
    ports = set(node.port for node in cluster_servers.nodes)
    assert set(node.port for node in rc.get_nodes()) == ports
    masters = set(node.port for node in cluster_servers.masters())
    assert set(node.port for node in rc.get_primaries()) == masters
    assert set(node.port for node in rc.get_replicas()) == ports - masters
    assert all(node.server_type == 'primary' for node in rc.get_primaries())
    assert rc.get_default_node() in rc.get_primaries()
    assert len(rc.nodes_manager.slots_cache) == 16384
    for (first, last), (master, replicas) in cluster_servers.slots().items():
        for slot in (first, (first + last) // 2, last):
            serving = rc.nodes_manager.slots_cache[slot]
            assert serving[0].port == master.port
            assert [n.port for n in serving[1:]] == [r.port for r in replicas]
    assert rc.nodes_manager.refresh_count == 1


def test_keyslot_agrees_with_the_server(rc, cluster_servers):
    rng = random.Random(1515)
    keys = ['', '{', '}', '{}', '{}x', 'x{}', '{a}', 'a{b}c', '{a}{b}',
            'foo{{bar}}zap', 'foo{}{bar}', '{user1000}.following',
            '{user1000}.followers', 'a}b{c}', b'\xff{\x00}\xfe', 'é{ü}',
            b'{\xff\xfe}tail']
    for _ in range(150):
        keys.append(bytes(rng.randrange(256)
                          for _ in range(rng.randrange(0, 24))))
        keys.append(''.join(rng.choice('ab{}xyé') for _ in
                            range(rng.randrange(1, 12))))
    for key in keys:
        assert rc.keyslot(key) == cluster_servers.key_slot(key), key
    assert rc.keyslot(1234) == rc.keyslot('1234') == rc.keyslot(b'1234')
    assert rc.keyslot(1.5) == rc.keyslot('1.5')
    assert rc.keyslot(bytearray(b'a{b}')) == rc.keyslot(memoryview(b'b')) \
        == rc.keyslot('b')
    rc.set(bytearray(b'{ba}1'), 'x')
    assert rc.get(memoryview(b'{ba}1')) == b'x'
    assert rc.keyslot('{user1000}.following') == \
        rc.keyslot('{user1000}.followers')
    assert rc.cluster_keyslot('somekey') == \
        cluster_servers.key_slot('somekey')


def test_commands_go_to_the_owner_of_the_slot(rc, cluster_servers):
    for port, keys in keys_on_every_master(cluster_servers).items():
        for key in keys:
            assert rc.set(key, 'v-' + key) is True
            assert raw_on(cluster_servers, port, 'GET', key) == \
                ('v-' + key).encode()
            assert rc.get(key) == ('v-' + key).encode()
            assert rc.get_node_from_key(key).port == port
            replica = rc.get_node_from_key(key, replica=True)
            assert replica.server_type == 'replica'
            assert replica.port in [node.port for node in
                                    cluster_servers.replicas_of(
                                        rc.get_node_from_key(key))]


def test_commands_of_every_kind_route_by_their_keys(rcd):
    rc = rcd
    assert rc.hset('{h}hash', 'f', 'v') == 1
    assert rc.hgetall('{h}hash') == {'f': 'v'}
    assert rc.rpush('{l}list', 'a', 'b', 'c') == 3
    assert rc.lrange('{l}list', 0, -1) == ['a', 'b', 'c']
    assert rc.rpoplpush('{l}list', '{l}other') == 'c'
    assert rc.sadd('{s}a', 1, 2, 3) == 3
    assert rc.sadd('{s}b', 2, 3, 4) == 3
    assert rc.sinter('{s}a', '{s}b') == {'2', '3'}
    assert rc.zadd('{z}zset', a=1, b=2) == 2
    assert rc.zrange('{z}zset', 0, -1, withscores=True) == \
        [('a', 1.0), ('b', 2.0)]
    assert rc.zunionstore('{z}out', ['{z}zset', '{z}zset']) == 2
    assert rc.incr('counter') == 1
    assert rc.incrby('counter', 5) == 6
    assert rc.object('encoding', 'counter') == 'int'
    assert rc.execute_command('OBJECT', 'ENCODING', 'counter') == 'int'
    assert rc.execute_command('object encoding', 'counter') == 'int'
    assert rc.execute_command('get', 'counter') == '6'
    assert rc.pfadd('{p}hll', 'a', 'b') == 1
    assert rc.pfcount('{p}hll') == 2
    assert rc.eval("return redis.call('get', KEYS[1])", 1, 'counter') == '6'
    assert rc.eval("return 7", 0) == 7
    assert rc.rename('{r}a', '{r}b') if rc.set('{r}a', 1) else False
    assert rc.get('{r}b') == '1'


def test_a_command_the_tables_lack_is_routed_by_command_info(
        rc, monkeypatch):
    from redis import cluster_routing
    monkeypatch.delitem(cluster_routing.ROUTES, 'GETRANGE')
    for key in ('a', 'b', 'c', 'd', 'e', 'f'):
        rc.set(key, 'value-' + key)
        assert rc.getrange(key, 0, 4) == b'value'
    assert 'GETRANGE' in rc._unknown_routes


def test_startup_node_forms_and_aliases(cluster_servers, parser_class):
    first = cluster_servers.nodes[0]
    made = [
        RedisCluster(startup_nodes=[ClusterNode(first.host, first.port)],
                     parser_class=parser_class),
        RedisCluster(startup_nodes=cluster_servers.startup_nodes[:2],
                     parser_class=parser_class),
        RedisCluster(host=first.host, port=first.port,
                     parser_class=parser_class),
        RedisCluster(host='localhost', port=first.port,
                     parser_class=parser_class),
        RedisCluster.from_url('redis://%s:%s' % (first.host, first.port),
                              parser_class=parser_class),
        StrictRedisCluster(host=first.host, port=first.port,
                           parser_class=parser_class),
    ]
    try:
        for client in made:
            assert len(client.get_nodes()) == 6
            client.set('form', 'x')
            assert client.get('form') == b'x'
    finally:
        for client in made:
            client.close()
        cluster_servers.flushall()


def test_connection_kwargs_reach_every_node(make_rc, parser_class):
    rc = make_rc(socket_timeout=7, socket_connect_timeout=3,
                 decode_responses=True, max_connections=40)
    for node in rc.get_nodes():
        pool = node.redis_connection.connection_pool
        assert pool is node.connection_pool
        assert pool.connection_kwargs['socket_timeout'] == 7
        assert pool.connection_kwargs['socket_connect_timeout'] == 3
        assert pool.connection_kwargs['decode_responses'] is True
        assert pool.max_connections == 40
        parser = pool.connection_kwargs['parser_class']
        assert issubclass(parser, parser_class)
        assert parser.EXCEPTION_CLASSES is CLUSTER_EXCEPTION_CLASSES
    rc.set('decoded', 'yes')
    assert rc.get('decoded') == 'yes'


def test_tls_and_other_pool_arguments():
    from redis.cluster_nodes import pool_arguments
    from redis.connection import SSLConnection
    kwargs = pool_arguments({'ssl': True, 'ssl_ca_certs': '/ca.pem',
                             'password': 'p', 'socket_timeout': 3,
                             'host': 'ignored', 'charset': 'latin-1'})
    assert kwargs == {'connection_class': SSLConnection,
                      'ssl_ca_certs': '/ca.pem', 'password': 'p',
                      'socket_timeout': 3, 'encoding': 'latin-1'}
    # ssl options without ssl=True are not the connections' business
    assert pool_arguments({'ssl_ca_certs': '/ca.pem'}) == {}


# ---- keyless commands and fan-out ------------------------------------------

def fill(rc, cluster):
    keys = [key for keys in keys_on_every_master(cluster, 'fill').values()
            for key in keys]
    for key in keys:
        rc.set(key, key)
    return keys


def test_dbsize_and_keys_default_node_or_summed(rc, cluster_servers):
    keys = fill(rc, cluster_servers)
    default = rc.get_default_node()
    on_default = raw_on(cluster_servers, default.port, 'DBSIZE')
    assert rc.dbsize() == on_default
    assert rc.dbsize(target_nodes=RedisCluster.PRIMARIES) == len(keys)
    assert sorted(rc.keys()) == sorted(
        raw_on(cluster_servers, default.port, 'KEYS', '*'))
    merged = rc.keys(target_nodes=RedisCluster.PRIMARIES)
    assert sorted(merged) == sorted(key.encode() for key in keys)
    assert len(merged) == len(keys)
    # replicas repeat their primaries' keys: each key once
    assert sorted(rc.keys(target_nodes=RedisCluster.ALL_NODES)) == \
        sorted(merged)
    assert sorted(rc.keys('fill1*', target_nodes='primaries')) == sorted(
        key.encode() for key in keys if key.startswith('fill1'))


def test_set_default_node(rc, cluster_servers):
    fill(rc, cluster_servers)
    for node in rc.get_primaries():
        assert rc.set_default_node(node) is True
        assert rc.get_default_node() is node
        assert rc.dbsize() == raw_on(cluster_servers, node.port, 'DBSIZE')
    assert rc.set_default_node(ClusterNode('127.0.0.1', 1)) is False
    assert rc.set_default_node(None) is False


def test_flushall_and_flushdb_empty_every_primary(rc, cluster_servers):
    for command in ('flushall', 'flushdb'):
        fill(rc, cluster_servers)
        reply = getattr(rc, command)()
        assert reply == dict((node.name, True) for node in
                             rc.get_primaries())
        for master in cluster_servers.masters():
            assert master.command('DBSIZE') == 0


def test_scripts_are_loaded_and_flushed_on_every_primary(rc,
                                                         cluster_servers):
    sha = rc.script_load("return 'x'")
    assert sha == '8e7d0f5c6e6b1a57bd0ba9e4e7a38a3d7ee14c9c' or len(sha) == 40
    for master in cluster_servers.masters():
        assert master.command('SCRIPT', 'EXISTS', sha) == [1]
    assert rc.script_exists(sha) == [True]
    assert rc.script_exists(sha, '0' * 40) == [True, False]
    assert rc.script_flush() is True
    for master in cluster_servers.masters():
        assert master.command('SCRIPT', 'EXISTS', sha) == [0]
    assert rc.script_exists(sha) == [False]


def test_ping_info_and_target_nodes(rc, cluster_servers):
    assert rc.ping() is True
    assert rc.ping(target_nodes=RedisCluster.ALL_NODES) is True
    info = rc.info()
    assert info['tcp_port'] == rc.get_default_node().port
    per_node = rc.info(target_nodes=RedisCluster.ALL_NODES)
    assert sorted(per_node) == sorted(node.name for node in rc.get_nodes())
    for name, node_info in per_node.items():
        assert name.endswith(':%d' % node_info['tcp_port'])
    roles = rc.info('replication', target_nodes=RedisCluster.REPLICAS)
    assert len(roles) == 3
    assert set(i['role'] for i in roles.values()) == {'slave'}
    node = rc.get_replicas()[0]
    assert rc.info(target_nodes=node)['tcp_port'] == node.port
    two = rc.get_primaries()[:2]
    assert sorted(rc.info(target_nodes=two)) == sorted(n.name for n in two)
    as_dict = dict((n.name, n) for n in two)
    assert sorted(rc.info(target_nodes=as_dict)) == sorted(as_dict)
    assert rc.info(target_nodes=RedisCluster.RANDOM)['tcp_port'] in \
        [n.port for n in rc.get_nodes()]
    with pytest.raises(TypeError):
        rc.ping(target_nodes=42)


def test_other_keyless_commands(rc, cluster_servers):
    assert rc.echo('hello') == b'hello'
    seconds, micros = rc.time()
    assert abs(seconds - time.time()) < 3600
    assert rc.randomkey() is None
    fill(rc, cluster_servers)
    assert rc.randomkey(target_nodes=rc.get_primaries()[0]) is not None
    assert rc.cluster_info()['cluster_state'] == 'ok'
    nodes = rc.cluster_nodes()
    assert len(nodes) == 6
    slots = rc.cluster_slots()
    assert sorted(slots) == sorted(cluster_servers.slots())
    for node in rc.get_nodes():
        assert rc.cluster_myid(node) == raw_on(
            cluster_servers, node.port, 'CLUSTER', 'MYID').decode()
    key = 'counted'
    rc.set(key, 1)
    assert rc.cluster_countkeysinslot(rc.keyslot(key)) == 1
    assert rc.cluster_get_keys_in_slot(rc.keyslot(key), 10) == [b'counted']
    assert rc.config_get('cluster-node-timeout',
                         target_nodes=rc.ALL_NODES)


# ---- cross-slot keys -------------------------------------------------------

def two_slots(rc):
    a, b = 'cross-a', 'cross-b'
    assert rc.keyslot(a) != rc.keyslot(b)
    return a, b


@pytest.mark.parametrize('call', [
    lambda rc, a, b: rc.mget(a, b),
    lambda rc, a, b: rc.mset({a: 1, b: 2}),
    lambda rc, a, b: rc.sunion(a, b),
    lambda rc, a, b: rc.sinterstore(a, [a, b]),
    lambda rc, a, b: rc.rename(a, b),
    lambda rc, a, b: rc.rpoplpush(a, b),
    lambda rc, a, b: rc.smove(a, b, 'x'),
    lambda rc, a, b: rc.zunionstore(a, [a, b]),
    lambda rc, a, b: rc.pfcount(a, b),
    lambda rc, a, b: rc.pfmerge(a, b),
    lambda rc, a, b: rc.bitop('AND', a, b),
    lambda rc, a, b: rc.eval('return 1', 2, a, b),
    lambda rc, a, b: rc.blpop([a, b], timeout=1),
    lambda rc, a, b: rc.sort(a, store=b),
])
def test_cross_slot_raises_before_sending(make_rc, recording, call):
    rc = make_rc(connection_class=RecordingConnection)
    a, b = two_slots(rc)
    del recording[:]
    with pytest.raises(ClusterCrossSlotError):
        call(rc, a, b)
    assert recording == []


def test_same_slot_with_hash_tags_is_fine(rc):
    assert rc.mset({'{t}a': 1, '{t}b': 2}) is True
    assert rc.mget('{t}a', '{t}b') == [b'1', b'2']
    assert rc.rename('{t}a', '{t}c') is True


def test_del_exists_touch_over_several_slots_add_up(rc, cluster_servers):
    keys = fill(rc, cluster_servers)
    assert rc.execute_command('EXISTS', *keys) == len(keys)
    assert rc.execute_command('TOUCH', *keys) == len(keys)
    assert rc.delete(*(keys + ['missing'])) == len(keys)
    assert rc.execute_command('EXISTS', *keys) == 0
    for master in cluster_servers.masters():
        assert master.command('DBSIZE') == 0


# ---- multi-key commands over several slots ---------------------------------

def test_mget_mset_nonatomic_in_caller_order(make_rc, recording,
                                             cluster_servers):
    rc = make_rc(connection_class=RecordingConnection)
    keys = fill(rc, cluster_servers)
    mapping = dict(('nonatomic-%s' % key, 'value-%s' % key) for key in keys)
    mapping['{t}1'] = 'same-slot-1'
    mapping['{t}2'] = 'same-slot-2'
    del recording[:]
    assert rc.mset_nonatomic(mapping) == [True] * (len(keys) + 1)
    events = list(recording)
    # every node written before any is read
    last_send = max(i for i, event in enumerate(events)
                    if event[0] == 'send')
    first_read = min(i for i, event in enumerate(events)
                     if event[0] == 'read')
    assert last_send < first_read
    assert len(set(event[1] for event in sends(events))) == 3
    for key, value in mapping.items():
        assert rc.get(key) == value.encode()
    wanted = list(reversed(list(mapping))) + ['missing', '{t}1']
    del recording[:]
    values = rc.mget_nonatomic(wanted)
    assert values == [mapping[key].encode() if key in mapping else None
                      for key in wanted]
    events = list(recording)
    assert len(sends(events)) == 3
    assert max(i for i, e in enumerate(events) if e[0] == 'send') < \
        min(i for i, e in enumerate(events) if e[0] == 'read')
    assert rc.mget_nonatomic(wanted[0], wanted[1]) == \
        [mapping[wanted[0]].encode(), mapping[wanted[1]].encode()]


def test_mget_nonatomic_decoded(rcd):
    rcd.mset_nonatomic({'a': 'é', 'b': '2', 'c': '3'})
    assert rcd.mget_nonatomic(['c', 'a', 'b', 'x']) == ['3', 'é', '2', None]


def test_scan_iter_covers_every_primary(rc, cluster_servers):
    keys = set()
    for n in range(300):
        key = 'scan:%d' % n
        rc.set(key, n)
        keys.add(key.encode())
    rc.set('other', 1)
    assert set(rc.scan_iter('scan:*', count=20)) == keys
    assert len(list(rc.scan_iter(count=1000))) == 301
    assert set(rc.scan_iter(_type='string', match='other')) == {b'other'}
    cursors, found = rc.scan(0, match='scan:*', count=1000)
    assert sorted(cursors) == sorted(n.name for n in rc.get_primaries())
    node = rc.get_primaries()[0]
    on_node = set(rc.scan_iter(target_nodes=node))
    assert on_node == set(raw_on(cluster_servers, node.port, 'KEYS', '*'))


# ---- locks and scripts -----------------------------------------------------

def test_lock_on_a_cluster(make_rc):
    rc, other = make_rc(), make_rc()
    lock = rc.lock('cluster-lock', timeout=10)
    assert lock.acquire(blocking=False)
    assert rc.get_node_from_key('cluster-lock').port and \
        rc.get('cluster-lock') is not None
    assert not other.lock('cluster-lock').acquire(blocking=False)
    assert lock.extend(5)
    lock.release()
    assert rc.get('cluster-lock') is None
    with other.lock('cluster-lock', blocking_timeout=5):
        with pytest.raises(LockError):
            with rc.lock('cluster-lock', blocking_timeout=0.2):
                pass


def test_registered_scripts_run_on_the_node_of_their_keys(rc):
    script = rc.register_script(
        "return {redis.call('incr', KEYS[1]), redis.call('incr', KEYS[2])}")
    for tag in ('a', 'b', 'c', 'd'):
        keys = ['{%s}1' % tag, '{%s}2' % tag]
        assert script(keys=keys) == [1, 1]
        assert script(keys=keys) == [2, 2]
    rc.script_flush()
    # missing after the flush: loaded again where it runs
    assert script(keys=['{a}1', '{a}2']) == [3, 3]
    with pytest.raises(ClusterCrossSlotError):
        script(keys=two_slots(rc))
