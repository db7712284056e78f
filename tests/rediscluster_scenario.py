"""A scenario for redis-py-cluster 1.3.6 (whose sdist ships no tests), run
by tests/test_yardstick_rediscluster.py once on the real redis-py 2.10.6
and once on this package: the two transcripts must match.

Usage: python rediscluster_scenario.py PORT [PORT...]  (the cluster's
nodes). Prints a JSON list of [step, outcome...]; each step says what it
reaches in redis-py: ClusterParser (a DefaultParser subclass with its own
EXCEPTION_CLASSES), ClusterConnection (parser_class, on_connect,
description_format), ClusterConnectionPool (a ConnectionPool subclass),
StrictClusterPipeline and ClusterPubSub (subclasses of StrictRedis and
PubSub), and redis._compat, redis.client helpers it imports.

Setting up slot migrations goes over raw sockets (tests/rawresp.py).
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from rawresp import RawConnection  # noqa: E402

import rediscluster  # noqa: E402
from rediscluster.connection import ClusterConnection  # noqa: E402

HOST = '127.0.0.1'
transcript = []


def plain(value):
    "value as JSON can hold it, the same on every run"
    if isinstance(value, bytes):
        return ['bytes', value.decode('latin-1')]
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return ['set', sorted(repr(plain(item)) for item in value)]
    if isinstance(value, dict):
        return ['dict', sorted([repr(plain(k)), plain(v)]
                               for k, v in value.items())]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return ['object', type(value).__name__]


def step(name, function):
    try:
        result = function()
    except Exception as e:
        transcript.append([name, 'raised', type(e).__name__, str(e)])
    else:
        transcript.append([name, 'returned', plain(result)])


def raw(port, *args, **kwargs):
    "One command on a fresh raw connection; asking=True sends ASKING first"
    conn = RawConnection(HOST, port)
    try:
        if kwargs.get('asking'):
            conn.command('ASKING')
        return conn.command(*args)
    finally:
        conn.close()


def slot_owner(ports, slot):
    for entry in raw(ports[0], 'CLUSTER', 'SLOTS'):
        if entry[0] <= slot <= entry[1]:
            return int(entry[2][1]), raw(int(entry[2][1]), 'CLUSTER', 'MYID')
    raise AssertionError('slot %s not served' % slot)


def masters(ports):
    return sorted({int(entry[2][1]) for entry in
                   raw(ports[0], 'CLUSTER', 'SLOTS')})


def next_message(listener, timeout=10.0):
    "The next message of a pubsub, None if none comes within timeout"
    deadline = time.time() + timeout
    while time.time() < deadline:
        message = listener.get_message(timeout=0.5)
        if message is not None:
            return message
    return None


def main(ports):
    nodes = [{'host': HOST, 'port': port} for port in ports]
    client = rediscluster.StrictRedisCluster(startup_nodes=nodes)
    text = rediscluster.StrictRedisCluster(startup_nodes=nodes,
                                           decode_responses=True)
    keys = ['key:%d' % i for i in range(30)]

    step('set across slots', lambda: [client.set(k, k) for k in keys])
    step('get across slots', lambda: [client.get(k) for k in keys])
    step('decoded get', lambda: [text.get(k) for k in keys[:5]])
    step('mset and mget split by slot',
         lambda: (client.mset({'m:%d' % i: i for i in range(10)}),
                  client.mget(['m:%d' % i for i in range(10)])))
    step('keys on every node', lambda: sorted(client.keys('key:*')))
    step('scan_iter', lambda: sorted(client.scan_iter(match='m:*')))
    step('incr, hash, list, zset', lambda: (
        client.incr('n'), client.incrby('n', 5),
        client.hset('h', 'f', 'v'), client.hgetall('h'),
        client.rpush('l', 1, 2, 3), client.lrange('l', 0, -1),
        client.zadd('z', 1, 'a', 2, 'b'),
        client.zrange('z', 0, -1, withscores=True)))
    step('an error reply', lambda: client.incr('key:1'))
    step('eval on one slot', lambda: client.eval(
        "return redis.call('GET', KEYS[1])", 1, 'key:2'))
    step('ping every node', lambda: sorted(client.ping().values()))
    step('dbsize per node', lambda: sorted(client.dbsize().values()))

    # ClusterParser turns these error replies into its own exceptions
    slot = client.connection_pool.nodes.keyslot('key:3')
    owner, _ = slot_owner(ports, slot)
    other = [port for port in masters(ports) if port != owner][0]

    def to_wrong_node(*args):
        conn = ClusterConnection(host=HOST, port=other)
        try:
            conn.send_command(*args)
            return conn.read_response()
        finally:
            conn.disconnect()

    def moved():
        try:
            to_wrong_node('GET', 'key:3')
        except rediscluster.exceptions.MovedError as e:
            return [type(e).__name__, e.slot_id, e.host, e.port == owner]
    step('MOVED from a parser subclass', moved)
    step('CROSSSLOT', lambda: to_wrong_node('MGET', 'key:3', 'key:4'))
    step('ClusterConnection repr',
         lambda: repr(ClusterConnection(host=HOST, port=other)).replace(
             str(other), 'PORT'))

    # a stale slot table: the client follows MOVED and corrects it
    def follows_moved():
        table = client.connection_pool.nodes
        wrong = [node for node in table.nodes.values()
                 if node['port'] == other][0]
        table.slots[slot] = [wrong]
        value = client.get('key:3')
        return [value, table.slots[slot][0]['port'] == owner]
    step('client follows MOVED', follows_moved)

    # a slot half-way through a migration: ASK, then ASKING on the target
    ask_key = 'ask:{x}'
    ask_slot = client.connection_pool.nodes.keyslot(ask_key)
    source, source_id = slot_owner(ports, ask_slot)
    target = [port for port in masters(ports) if port != source][0]
    target_id = raw(target, 'CLUSTER', 'MYID')
    raw(target, 'CLUSTER', 'SETSLOT', ask_slot, 'IMPORTING', source_id)
    raw(source, 'CLUSTER', 'SETSLOT', ask_slot, 'MIGRATING', target_id)
    try:
        step('client follows ASK', lambda: (client.set(ask_key, 'moved'),
                                            client.get(ask_key)))
        step('the key went to the target', lambda: raw(
            target, 'GET', ask_key, asking=True))
    finally:
        raw(target, 'DEL', ask_key, asking=True)
        for port in (source, target):
            raw(port, 'CLUSTER', 'SETSLOT', ask_slot, 'STABLE')

    step('pipeline across slots', lambda: client.pipeline()
         .set('p:1', 'a').set('p:2', 'b').get('p:1').get('p:2')
         .incr('p:n').execute())
    step('pipeline error kept in place', lambda: client.pipeline()
         .set('p:3', 'x').incr('p:3').get('p:3')
         .execute(raise_on_error=False))

    def pubsub():
        listener = client.pubsub()
        listener.subscribe('news')
        received = [next_message(listener)]
        published = client.publish('news', 'hello')
        received.append(next_message(listener))
        listener.close()
        return [published] + [[m['type'], m['channel'], m['data']]
                              for m in received]
    step('pubsub subscribe, message', pubsub)

    # reads from replicas: READONLY is sent by ClusterConnection.on_connect
    step('wait for replicas', lambda: [raw(port, 'WAIT', 1, 10000)
                                       for port in masters(ports)])
    reader = rediscluster.StrictRedisCluster(startup_nodes=nodes,
                                             readonly_mode=True)
    step('readonly mode reads', lambda: [reader.get(k) for k in keys[:10]])

    step('delete everything', lambda: sorted(
        client.delete(k) for k in keys + ['n', 'h', 'l', 'z', 'p:1', 'p:2',
                                          'p:n', 'p:3']))
    print(json.dumps(transcript))


if __name__ == '__main__':
    main([int(port) for port in sys.argv[1:]])
