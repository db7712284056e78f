"""The benchmark workloads: the data each one needs and the code that is timed.

This module is imported by the harness (run.py, for the metadata and the data
set-up commands) and by the worker (worker.py, inside a contestant's virtual
environment, for the timed code).  It never imports ``redis`` itself: the
worker hands in a client built from whichever ``redis`` package is under test,
and the timed code only uses calls that exist in redis-py 2.10.6, in today's
redis-py and in this project.
"""
import operator
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time

SMALL_VALUE = b'xxx'            # redis-benchmark's default 3-byte payload
KEY_GET = 'bench:get'
KEY_SET = 'bench:set'
KEY_INCR = 'bench:incr'
KEY_MULTI = 'bench:multi'
KEY_BIG = 'bench:big'
KEY_LIST10K = 'bench:list10k'
KEY_HASH1K = 'bench:hash1k'
KEY_ZSET10K = 'bench:zset10k'
KEY_LIST1M = 'bench:list1m'
CHANNEL = 'bench:channel'
BIG_SIZE = 1 << 20
PUBSUB_MESSAGES = 20000
THREADS = 4

MGET_KEYS = ['bench:k:%04d' % i for i in range(1000)]
PIPE_SET_KEYS = ['bench:ps:%04d' % i for i in range(1000)]


def _value(i):
    return b'value-%04d' % i


def _element(i):
    return b'element-%07d' % i


def encode_command(*args):
    """RESP-encode one command (used for data set-up and the pubsub publisher)."""
    parts = [b'*%d\r\n' % len(args)]
    for arg in args:
        if isinstance(arg, str):
            arg = arg.encode()
        elif isinstance(arg, (int, float)):
            arg = repr(arg).encode()
        parts.append(b'$%d\r\n%s\r\n' % (len(arg), arg))
    return b''.join(parts)


# -- data sets: name -> generator of commands (tuples) the harness sends once per run

def _rpush_chunks(key, count, chunk=1000):
    for start in range(0, count, chunk):
        yield ('RPUSH', key) + tuple(_element(i) for i in range(start, min(count, start + chunk)))


def _data_small():
    yield ('SET', KEY_GET, SMALL_VALUE)
    yield ('SET', KEY_SET, SMALL_VALUE)
    yield ('SET', KEY_INCR, b'0')
    yield ('SET', KEY_MULTI, b'0')


def _data_keys1k():
    for start in range(0, 1000, 250):
        args = ['MSET']
        for i in range(start, start + 250):
            args += [MGET_KEYS[i], _value(i)]
        yield tuple(args)


def _data_list10k():
    yield ('DEL', KEY_LIST10K)
    yield from _rpush_chunks(KEY_LIST10K, 10000)


def _data_hash1k():
    yield ('DEL', KEY_HASH1K)
    args = ['HSET', KEY_HASH1K]
    for i in range(1000):
        args += [b'field-%04d' % i, _value(i)]
    yield tuple(args)


def _data_zset10k():
    yield ('DEL', KEY_ZSET10K)
    for start in range(0, 10000, 1000):
        args = ['ZADD', KEY_ZSET10K]
        for i in range(start, start + 1000):
            args += [repr(i * 1.5).encode(), b'member-%05d' % i]
        yield tuple(args)


def _data_big():
    yield ('SET', KEY_BIG, b'x' * BIG_SIZE)


def _data_list1m():
    yield ('DEL', KEY_LIST1M)
    yield from _rpush_chunks(KEY_LIST1M, 1000000)


DATASETS = {
    'small': _data_small,
    'keys1k': _data_keys1k,
    'list10k': _data_list10k,
    'hash1k': _data_hash1k,
    'zset10k': _data_zset10k,
    'big': _data_big,
    'list1m': _data_list1m,
}


class BenchError(Exception):
    """A contestant returned something other than the expected reply."""


def _expect(ok, what):
    if not ok:
        raise BenchError('wrong reply: %s' % what)


class Context(object):
    """What a workload may need besides the client: server address, time budget, paths."""

    def __init__(self, host, port, duration, sys_path_prefix=(), import_runs=5):
        self.host = host
        self.port = port
        self.duration = duration
        self.sys_path_prefix = list(sys_path_prefix)
        self.import_runs = import_runs

    def __repr__(self):
        return 'Context(host=%r, port=%r, duration=%r)' % (self.host, self.port, self.duration)


def time_loop(op, ops_per_call, duration):
    """Call ``op`` repeatedly for ``duration`` seconds after a short warm-up; return ops/s.

    The clock is read once per batch, the batch being sized so a batch takes about
    10 ms, so reading the clock costs nothing measurable even for sub-10-µs calls.
    """
    warm_until = time.perf_counter() + min(0.2, duration * 0.2)
    calls = 0
    start = time.perf_counter()
    while True:
        op()
        calls += 1
        now = time.perf_counter()
        if now >= warm_until and calls >= 2:
            break
    per_call = (now - start) / calls
    batch = max(1, int(0.01 / per_call)) if per_call > 0 else 1000
    done = 0
    usage = _usage()
    start = time.perf_counter()
    deadline = start + duration
    while True:
        for _ in range(batch):
            op()
        done += batch
        now = time.perf_counter()
        if now >= deadline:
            break
    result = {'value': done * ops_per_call / (now - start), 'calls': done, 'seconds': now - start,
              'commands': done * ops_per_call}
    # where the client's time went, per call (in the --json output only)
    for name, total in zip(USAGE_FIELDS, map(operator.sub, _usage(), usage)):
        result['per_call_' + name] = total / done
    return result


USAGE_FIELDS = ('user_us', 'sys_us', 'page_faults', 'voluntary_switches')


def _usage():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return (ru.ru_utime * 1e6, ru.ru_stime * 1e6, ru.ru_minflt, ru.ru_nvcsw)


# -- loop workloads: prepare(client) validates one reply and returns (op, ops_per_call)

def prep_get(r):
    _expect(r.get(KEY_GET) == SMALL_VALUE, 'GET %r' % KEY_GET)
    return (lambda: r.get(KEY_GET)), 1


def prep_set(r):
    _expect(r.set(KEY_SET, SMALL_VALUE) is True, 'SET returned not True')
    return (lambda: r.set(KEY_SET, SMALL_VALUE)), 1


def prep_incr(r):
    first = r.incr(KEY_INCR)
    _expect(isinstance(first, int) and r.incr(KEY_INCR) == first + 1, 'INCR not an increasing int')
    return (lambda: r.incr(KEY_INCR)), 1


def prep_pipe_set(r):
    def op():
        pipe = r.pipeline(transaction=False)
        for key in PIPE_SET_KEYS:
            pipe.set(key, SMALL_VALUE)
        return pipe.execute()
    res = op()
    _expect(len(res) == 1000 and all(x is True for x in res), 'pipeline SET results')
    return op, 1000


def prep_pipe_get(r):
    def op():
        pipe = r.pipeline(transaction=False)
        for key in MGET_KEYS:
            pipe.get(key)
        return pipe.execute()
    res = op()
    _expect(len(res) == 1000 and res[7] == _value(7) and res[-1] == _value(999), 'pipeline GET results')
    return op, 1000


def prep_multi(r):
    def op():
        pipe = r.pipeline(transaction=True)
        for _ in range(10):
            pipe.incr(KEY_MULTI)
        return pipe.execute()
    res = op()
    _expect(len(res) == 10 and all(res[i] + 1 == res[i + 1] for i in range(9)), 'MULTI/EXEC INCR results')
    return op, 1


def prep_lrange(r):
    res = r.lrange(KEY_LIST10K, 0, -1)
    _expect(len(res) == 10000 and res[0] == _element(0) and res[-1] == _element(9999), 'LRANGE 10k')
    return (lambda: r.lrange(KEY_LIST10K, 0, -1)), 1


def prep_hgetall(r):
    res = r.hgetall(KEY_HASH1K)
    _expect(isinstance(res, dict) and len(res) == 1000 and res[b'field-0042'] == _value(42), 'HGETALL 1k')
    return (lambda: r.hgetall(KEY_HASH1K)), 1


def prep_zrange(r):
    res = r.zrange(KEY_ZSET10K, 0, -1, withscores=True)
    _expect(len(res) == 10000 and tuple(res[3]) == (b'member-00003', 4.5)
            and isinstance(res[3][1], float), 'ZRANGE 10k WITHSCORES')
    return (lambda: r.zrange(KEY_ZSET10K, 0, -1, withscores=True)), 1


def prep_mget(r):
    res = r.mget(MGET_KEYS)
    _expect(len(res) == 1000 and res[500] == _value(500), 'MGET 1k')
    return (lambda: r.mget(MGET_KEYS)), 1


def prep_big(r):
    res = r.get(KEY_BIG)
    _expect(res is not None and len(res) == BIG_SIZE, 'GET 1 MiB')
    return (lambda: r.get(KEY_BIG)), 1


def loop_runner(prepare):
    def run(r, ctx):
        op, ops_per_call = prepare(r)
        return time_loop(op, ops_per_call, ctx.duration)
    return run


# -- workloads that measure themselves

def run_threads(r, ctx):
    """THREADS threads share one client; each alternates SET and GET on its own key."""
    counts = [0] * THREADS
    errors = []
    stop = threading.Event()
    barrier = threading.Barrier(THREADS + 1)

    def body(index):
        key = 'bench:thread:%d' % index
        value = b'v%d' % index
        done = 0
        try:
            r.set(key, value)
            barrier.wait()
            while not stop.is_set():
                r.set(key, value)
                if r.get(key) != value:
                    raise BenchError('thread %d read another value' % index)
                done += 2
        except Exception as exc:  # reported by the main thread
            errors.append(exc)
            stop.set()
            barrier.abort()
        counts[index] = done

    threads = [threading.Thread(target=body, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        pass
    start = time.perf_counter()
    stop.wait(ctx.duration)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    return {'value': sum(counts) / elapsed, 'calls': sum(counts), 'seconds': elapsed,
            'commands': sum(counts)}


def _read_replies(sock, count):
    """Read ``count`` integer replies (PUBLISH's) from a raw socket; each ends in one LF."""
    seen = 0
    while seen < count:
        chunk = sock.recv(65536)
        if not chunk:
            raise BenchError('publisher connection closed')
        seen += chunk.count(b'\n')


def run_pubsub(r, ctx):
    """Receive rate of PUBSUB_MESSAGES messages through ``for m in pubsub.listen()``.

    A raw socket in the same process sends all PUBLISH commands in one write
    before the receive loop starts, so the publisher never competes with the
    receiver for the interpreter; the server queues what the receiver has not
    read yet.
    """
    payloads = [b'message-%05d' % i for i in range(PUBSUB_MESSAGES)]
    blob = b''.join(encode_command('PUBLISH', CHANNEL, p) for p in payloads)
    pubsub = r.pubsub()
    pubsub.subscribe(CHANNEL)
    messages = pubsub.listen()
    first = next(messages)
    _expect(first['type'] == 'subscribe', 'first pubsub message %r' % (first,))
    raw = socket.create_connection((ctx.host, ctx.port))
    received = 0
    elapsed = 0.0
    try:
        while received == 0 or elapsed < ctx.duration:
            got = 0
            last = None
            start = time.perf_counter()
            raw.sendall(blob)
            for message in messages:
                if message['type'] == 'message':
                    got += 1
                    if got == PUBSUB_MESSAGES:
                        last = message
                        break
            elapsed += time.perf_counter() - start
            _expect(last is not None and last['data'] == payloads[-1], 'last pubsub message %r' % (last,))
            received += got
            _read_replies(raw, PUBSUB_MESSAGES)
    finally:
        raw.close()
    pubsub.close()
    return {'value': received / elapsed, 'calls': received, 'seconds': elapsed, 'commands': received}


def run_import(r, ctx):
    """Median wall time of ``import redis`` in fresh interpreters (milliseconds)."""
    code = ('import sys, time\n'
            'sys.path[:0] = %r\n'
            't = time.perf_counter()\n'
            'import redis\n'
            'print(time.perf_counter() - t)\n' % (ctx.sys_path_prefix,))
    samples = []
    for run in range(ctx.import_runs + 1):
        out = subprocess.run([sys.executable, '-I', '-c', code], check=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if run:  # the first run only warms the OS file cache and __pycache__
            samples.append(float(out.stdout.decode().split()[-1]) * 1000.0)
    return {'value': statistics.median(samples), 'samples': samples}


def run_memory(r, ctx):
    """Growth of peak RSS (ru_maxrss) while reading a 1,000,000-element LRANGE, in MiB.

    ru_maxrss counts everything the process touches, C allocations inside hiredis
    included, which tracemalloc would miss.  The number includes the returned list
    itself; ``result_mib`` (its own size) is reported next to it for reference.
    """
    import resource
    _expect(r.lrange(KEY_LIST1M, 0, 9) == [_element(i) for i in range(10)], 'LRANGE 1M head')
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    res = r.lrange(KEY_LIST1M, 0, -1)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    _expect(len(res) == 1000000 and res[-1] == _element(999999), 'LRANGE 1M')
    result_bytes = sys.getsizeof(res) + sum(sys.getsizeof(x) for x in res)
    return {'value': (after - before) / 1024.0, 'seconds': elapsed,
            'result_mib': result_bytes / 1048576.0}


class Workload(object):
    """One row of the table: what is measured, in which unit, and which data it needs."""

    def __init__(self, name, title, unit, run, datasets=(), higher_is_better=True,
                 redis_benchmark=None, quick=False, needs_client=True, floor=False):
        self.name = name
        self.title = title
        self.unit = unit
        self.run = run
        self.datasets = tuple(datasets)
        self.higher_is_better = higher_is_better
        self.redis_benchmark = redis_benchmark  # the -t test name of the C ceiling, if any
        self.quick = quick
        self.needs_client = needs_client
        self.floor = floor  # one command per call: benchmarks/floor.py can run it

    def __repr__(self):
        return 'Workload(%r, unit=%r)' % (self.name, self.unit)


WORKLOAD_LIST = [
    Workload('get', 'GET (one at a time)', 'ops/s', loop_runner(prep_get), ['small'],
             redis_benchmark='get', quick=True, floor=True),
    Workload('set', 'SET (one at a time)', 'ops/s', loop_runner(prep_set), ['small'],
             redis_benchmark='set', quick=True, floor=True),
    Workload('incr', 'INCR (one at a time)', 'ops/s', loop_runner(prep_incr), ['small'],
             redis_benchmark='incr', floor=True),
    Workload('pipe_set', 'pipeline of 1,000 SET', 'cmds/s', loop_runner(prep_pipe_set), quick=True),
    Workload('pipe_get', 'pipeline of 1,000 GET', 'cmds/s', loop_runner(prep_pipe_get), ['keys1k'],
             quick=True),
    Workload('multi', 'MULTI/EXEC of 10 INCR', 'tx/s', loop_runner(prep_multi), ['small']),
    Workload('lrange', 'LRANGE 10,000 elements', 'calls/s', loop_runner(prep_lrange), ['list10k'],
             quick=True),
    Workload('hgetall', 'HGETALL 1,000 fields', 'calls/s', loop_runner(prep_hgetall), ['hash1k']),
    Workload('zrange', 'ZRANGE 10,000 WITHSCORES', 'calls/s', loop_runner(prep_zrange), ['zset10k']),
    Workload('mget', 'MGET 1,000 keys', 'calls/s', loop_runner(prep_mget), ['keys1k']),
    Workload('get_big', 'GET of a 1 MiB value', 'calls/s', loop_runner(prep_big), ['big'], floor=True),
    Workload('threads', '%d threads, one client, SET+GET' % THREADS, 'ops/s', run_threads,
             floor=True),
    Workload('pubsub', 'pubsub receive, %d messages' % PUBSUB_MESSAGES, 'msgs/s', run_pubsub),
    Workload('import', '`import redis` (fresh process)', 'ms', run_import, higher_is_better=False,
             needs_client=False),
    Workload('memory', 'peak RSS growth, LRANGE 1,000,000', 'MiB', run_memory, ['list1m'],
             higher_is_better=False),
]
WORKLOADS = dict((w.name, w) for w in WORKLOAD_LIST)
