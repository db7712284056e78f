"""A program that uses the main APIs as an application would, written for
``mypy --strict``: tests/test_typing.py type-checks it against the
package's annotations, then runs each ``use_*`` function against the real
servers and compares what it returns with the ``*_RESULTS`` below (the
same whether the client decodes replies or not).

Run by hand: ``python tests/typing_example.py [redis://host:port/db]``.
"""
from __future__ import annotations

import datetime
import sys
import threading
import time
from typing import Any, Dict, Iterator, List, Optional, Tuple

import redis
from redis.client import Pipeline, StrictPipeline
from redis.cluster import RedisCluster
from redis.cluster_nodes import ClusterNode
from redis.cluster_pipeline import ClusterPipeline
from redis.exceptions import LockError, WatchError
from redis.lock import Lock
from redis.pubsub import PubSub
from redis.pubsub_worker import PubSubWorkerThread
from redis.scripting import Script
from redis.sentinel import Sentinel

# how long the example waits for a message before giving up
WAIT = 10.0


def text(value: Any) -> str:
    "A reply as str, whether the client decodes replies or not"
    if isinstance(value, bytes):
        return value.decode('utf-8')
    return str(value)


def connect(url: str, decode: bool) -> redis.StrictRedis:
    "A client for ``url``, giving str replies when ``decode``"
    pool = redis.ConnectionPool.from_url(url, decode_responses=decode,
                                         socket_timeout=WAIT)
    return redis.StrictRedis(connection_pool=pool)


def connect_by_address(host: str, port: int) -> Tuple[redis.StrictRedis,
                                                      redis.Redis]:
    "The same server through both client classes (str replies)"
    strict = redis.StrictRedis(host=host, port=port, db=0,
                               socket_timeout=WAIT, decode_responses=True)
    legacy = redis.Redis.from_url('redis://%s:%d/0' % (host, port),
                                  decode_responses=True)
    return strict, legacy


# ---- commands ------------------------------------------------------------

CLIENT_RESULTS: Dict[str, Any] = {
    'get': 'hello', 'missing': None, 'incr': 5, 'mget': ['1', '2.5', None],
    'hash': {'name': 'ada', 'born': '1815'}, 'zrange': [('b', 1.0),
                                                       ('a', 2.0)],
    'list': ['third', 'second', 'first'], 'popped': ('queue', 'first'),
    'ttl_set': True, 'scan': ['ex:1', 'ex:2', 'ex:3'],
    'stream': [('stream', '21.5')], 'exists': 2,
}


def use_client(r: redis.StrictRedis) -> Dict[str, Any]:
    "Commands with str and bytes keys and values, and their replies"
    out: Dict[str, Any] = {}
    r.set('greeting', 'hello', ex=60)
    r.set(b'counter', 0, px=datetime.timedelta(minutes=1), nx=True)
    out['get'] = text(r.get(b'greeting'))
    out['missing'] = r.get('no such key')
    out['incr'] = r.incr('counter', 5)
    r.mset({'a': 1, 'b': 2.5})
    out['mget'] = [None if v is None else text(v)
                   for v in r.mget(['a', 'b', 'c'])]
    r.hset('person', mapping={'name': 'ada', 'born': 1815})
    out['hash'] = {text(k): text(v) for k, v in r.hgetall('person').items()}
    r.zadd('scores', {'a': 2, 'b': 1})
    out['zrange'] = [(text(member), score) for member, score in
                     r.zrange('scores', 0, -1, withscores=True)]
    r.rpush('queue', 'first')
    r.lpush('list', 'first', 'second', 'third')
    out['list'] = [text(v) for v in r.lrange('list', 0, -1)]
    key, value = r.brpop(['empty', 'queue'], timeout=1)
    out['popped'] = (text(key), text(value))
    out['ttl_set'] = r.expire('list', datetime.timedelta(seconds=30))
    for i in (1, 2, 3):
        r.setex('ex:%d' % i, 60, i)
    out['scan'] = sorted(text(k) for k in r.scan_iter(match='ex:*',
                                                      count=100))
    entry_id = r.xadd('stream', {'temperature': 21.5, 'unit': 'C'})
    readings = []
    for name, entries in r.xread({'stream': '0'}, count=10):
        for entry, fields in entries:
            values = {text(k): text(v) for k, v in fields.items()}
            if text(entry) == text(entry_id) and values['unit'] == 'C':
                readings.append((text(name), values['temperature']))
    out['stream'] = readings
    out['exists'] = r.exists('a') + r.exists('b')
    return out


# ---- pipelines -----------------------------------------------------------

PIPELINE_RESULTS: Dict[str, Any] = {
    'batch': [True, 1, 'x'], 'balance': 20, 'transaction': [True],
    'legacy': [True, 'v'], 'watched': 1,
}


def add_ten(pipe: StrictPipeline) -> None:
    "A transaction body for StrictRedis.transaction(): read, then write"
    current = pipe.get('balance')
    pipe.multi()
    pipe.set('balance', int(current or 0) + 10)


def use_pipeline(r: redis.StrictRedis) -> Dict[str, Any]:
    "Batches, transactions and WATCH"
    out: Dict[str, Any] = {}
    with r.pipeline(transaction=False) as pipe:
        pipe.set('p', 'x').incr('n').get('p')
        batch: List[Any] = pipe.execute()
    out['batch'] = [batch[0], batch[1], text(batch[2])]
    r.transaction(add_ten, 'balance')
    out['transaction'] = r.transaction(add_ten, 'balance')
    out['balance'] = int(text(r.get('balance')))
    # WATCH by hand: retried until no other client changed the key
    with r.pipeline() as pipe:
        while True:
            try:
                pipe.watch('watched')
                value = pipe.get('watched')
                pipe.multi()
                pipe.set('watched', int(value or 0) + 1)
                pipe.execute()
                break
            except WatchError:
                continue
    out['watched'] = int(text(r.get('watched')))
    legacy = redis.Redis(connection_pool=r.connection_pool)
    legacy_pipe: Pipeline = legacy.pipeline()
    legacy_pipe.setex('legacy', 'v', 60).get('legacy')
    results = legacy_pipe.execute()
    out['legacy'] = [results[0], text(results[1])]
    return out


# ---- pubsub --------------------------------------------------------------

PUBSUB_RESULTS: Dict[str, Any] = {
    'get_message': ('message', 'news', 'first'),
    'listen': ('pmessage', 'news.*', 'news.sport', 'second'),
    'thread': 'third', 'ping': 'pong',
}


def next_message(p: PubSub) -> Dict[str, Any]:
    "The next message, waiting up to WAIT seconds for it"
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        message = p.get_message(timeout=deadline - time.monotonic())
        if message is not None:
            return message
    raise AssertionError('no message within %s s' % WAIT)


def use_pubsub(r: redis.StrictRedis) -> Dict[str, Any]:
    "get_message(), listen() and run_in_thread()"
    out: Dict[str, Any] = {}
    with r.pubsub() as p:
        p.subscribe('news')
        # a message published before the server confirmed the subscription
        # would not reach it
        assert next_message(p)['type'] == 'subscribe'
        r.publish('news', 'first')
        message = next_message(p)
        out['get_message'] = (message['type'], text(message['channel']),
                              text(message['data']))
        p.ping()
        out['ping'] = next_message(p)['type']

        p.psubscribe('news.*')
        assert next_message(p)['type'] == 'psubscribe'
        r.publish('news.sport', 'second')
        messages: Iterator[Dict[str, Any]] = p.listen()
        for message in messages:
            if message['type'] == 'pmessage':
                out['listen'] = (message['type'], text(message['pattern']),
                                 text(message['channel']),
                                 text(message['data']))
                break

    received: List[str] = []
    arrived = threading.Event()

    def on_message(message: Dict[str, Any]) -> None:
        received.append(text(message['data']))
        arrived.set()

    def on_error(error: BaseException, pubsub: PubSub,
                 thread: PubSubWorkerThread) -> None:
        received.append('error: %r' % (error,))
        arrived.set()

    p = r.pubsub()
    p.subscribe(**{'alerts': on_message})
    assert next_message(p)['type'] == 'subscribe'
    worker: PubSubWorkerThread = p.run_in_thread(sleep_time=0.1,
                                                 exception_handler=on_error)
    try:
        r.publish('alerts', 'third')
        arrived.wait(WAIT)
    finally:
        worker.stop()
        worker.join(WAIT)
    out['thread'] = received[0] if received else None
    return out


# ---- locks and scripts ---------------------------------------------------

LOCK_RESULTS: Dict[str, Any] = {
    'with': True, 'second_try': False, 'extended': True, 'released': False,
    'error': 'LockError',
}


def use_lock(r: redis.StrictRedis) -> Dict[str, Any]:
    "A lock held in a with block, and acquired and extended by hand"
    out: Dict[str, Any] = {}
    lock: Lock = r.lock('resource', timeout=10, blocking_timeout=1)
    with lock:
        out['with'] = r.exists('resource') == 1
        other = r.lock('resource', timeout=10)
        out['second_try'] = other.acquire(blocking=False)
    if lock.acquire(blocking=True, blocking_timeout=1):
        out['extended'] = lock.extend(5)
        lock.release()
    out['released'] = r.exists('resource') == 1
    try:
        lock.release()
    except LockError as e:
        out['error'] = type(e).__name__
    return out


SCRIPT_RESULTS: Dict[str, Any] = {'call': 5, 'pipeline': [6, 7], 'value': 7}

INCREMENT = "return redis.call('INCRBY', KEYS[1], ARGV[1])"


def use_script(r: redis.StrictRedis) -> Dict[str, Any]:
    "A registered script, called alone and in a pipeline"
    out: Dict[str, Any] = {}
    increment: Script = r.register_script(INCREMENT)
    out['call'] = increment(keys=['hits'], args=[5])
    with r.pipeline() as pipe:
        increment(keys=['hits'], args=[1], client=pipe)
        increment(keys=['hits'], args=[1], client=pipe)
        out['pipeline'] = pipe.execute()
    out['value'] = int(text(r.get('hits')))
    return out


# ---- sentinel ------------------------------------------------------------

SENTINEL_RESULTS: Dict[str, Any] = {
    'master_found': True, 'written': 'value', 'replica_ping': True,
}


def use_sentinel(sentinel: Sentinel, service: str) -> Dict[str, Any]:
    "Clients of a service's master and of its replicas"
    out: Dict[str, Any] = {}
    host, port = sentinel.discover_master(service)
    out['master_found'] = bool(host) and port > 0
    master: redis.StrictRedis = sentinel.master_for(service,
                                                    socket_timeout=WAIT)
    replica: redis.StrictRedis = sentinel.slave_for(service,
                                                    socket_timeout=WAIT)
    master.set('sentinel:key', 'value')
    out['written'] = text(master.get('sentinel:key'))
    out['replica_ping'] = replica.ping()
    legacy: redis.Redis = sentinel.master_for(service, redis_class=redis.Redis)
    legacy.setex('sentinel:legacy', 'v', 60)
    return out


# ---- cluster -------------------------------------------------------------

CLUSTER_RESULTS: Dict[str, Any] = {
    'get': 'ada', 'mget': ['ada', '1815'], 'pipeline': [True, True, 'x'],
    'same_slot': True, 'nodes': True,
}


def connect_cluster(host: str, port: int) -> RedisCluster:
    "A cluster client that learns the cluster from one node"
    return RedisCluster(host=host, port=port, decode_responses=True)


def use_cluster(rc: RedisCluster) -> Dict[str, Any]:
    "Keys routed by slot, multi-key commands and a cluster pipeline"
    out: Dict[str, Any] = {}
    rc.set('{user:1}:name', 'ada')
    rc.set('{user:1}:born', 1815)
    out['get'] = text(rc.get('{user:1}:name'))
    out['mget'] = [text(v) for v in rc.mget(['{user:1}:name',
                                              '{user:1}:born'])]
    slot: int = rc.keyslot('{user:1}:name')
    out['same_slot'] = slot == rc.keyslot('{user:1}:born')
    pipe: ClusterPipeline = rc.pipeline()
    pipe.set('a', 'x').set('b', 'y').get('a')
    results = pipe.execute()
    out['pipeline'] = [results[0], results[1], text(results[2])]
    nodes: List[ClusterNode] = rc.get_nodes()
    out['nodes'] = len(nodes) >= 3
    return out


def main(argv: Optional[List[str]] = None) -> int:
    "Run the single-server parts against the URL given (database 15)"
    args = sys.argv[1:] if argv is None else argv
    url = args[0] if args else 'redis://localhost:6379/15'
    for decode in (False, True):
        r = connect(url, decode)
        r.flushdb()
        for name, use, expected in (
                ('client', use_client, CLIENT_RESULTS),
                ('pipeline', use_pipeline, PIPELINE_RESULTS),
                ('pubsub', use_pubsub, PUBSUB_RESULTS),
                ('lock', use_lock, LOCK_RESULTS),
                ('script', use_script, SCRIPT_RESULTS)):
            got = use(r)
            print('%s (decode_responses=%s): %s' % (
                name, decode, 'ok' if got == expected else got))
        r.flushdb()
    return 0


if __name__ == '__main__':
    sys.exit(main())
