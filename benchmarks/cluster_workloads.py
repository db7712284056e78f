"""The cluster workloads: their rows, the keys they use and the code that is timed.

Imported by the harness (benchmarks/cluster.py: titles, units, goals, which
keys to load) and by the worker (benchmarks/cluster_worker.py, inside a
contestant's venv: the timed code).  Like workloads.py it never imports
``redis``: the worker hands in a ``redis.cluster.RedisCluster`` of whichever
package is under test, and the timed code only uses calls that today's
redis-py and this project both have (``get``, ``set``, ``incr``,
``pipeline(transaction=False)``, ``keyslot``).
"""
import binascii
import itertools
import sys
import threading
import time

from workloads import SMALL_VALUE, BenchError, prep_pipe_set, time_loop

KEY_GET = 'bench:get'
KEY_SET = 'bench:set'
# GET over many keys: every call may go to another master, and a client that
# remembers the slots of recent keys cannot serve them from that memory
MANY_KEYS_COUNT = 100000
KEYSLOT_CHUNK = 1000
SLOTS = 16384


def many_key(i):
    return 'bench:m:%06d' % i


def many_value(i):
    return b'v%06d' % i


def _keyslot_keys(prefix, count):
    # one key in four has a hash tag, so both paths of the slot function run
    return [('bench:{%s%06d}:t' % (prefix, i)) if i % 4 == 0 else 'bench:%s:%06d' % (prefix, i)
            for i in range(count)]


def reference_slot(key):
    """CRC16/XMODEM of the key (or of its non-empty {hash tag}) mod 16384, for checking replies."""
    data = key.encode() if isinstance(key, str) else key
    start = data.find(b'{')
    if start >= 0:
        end = data.find(b'}', start + 1)
        if end > start + 1:
            data = data[start + 1:end]
    return binascii.crc_hqx(data, 0) % SLOTS


def _check(ok, what):
    if not ok:
        raise BenchError('wrong reply: %s' % what)


class ClusterContext(object):
    """What a cluster workload may need besides the client."""

    def __init__(self, duration, keys=(), deadline=60.0, settle=1.0):
        self.duration = duration
        self.keys = list(keys)
        self.deadline = deadline    # failover: give up when not recovered by then
        self.settle = settle        # failover: seconds of service after recovery before stopping

    def __repr__(self):
        return 'ClusterContext(duration=%r, keys=%d)' % (self.duration, len(self.keys))


# -- loop workloads: prepare(client) checks one reply and returns (op, ops_per_call)

def prep_get(r):
    _check(r.get(KEY_GET) == SMALL_VALUE, 'GET %r' % KEY_GET)
    return (lambda: r.get(KEY_GET)), 1


def prep_set(r):
    _check(r.set(KEY_SET, SMALL_VALUE) is True, 'SET returned not True')
    return (lambda: r.set(KEY_SET, SMALL_VALUE)), 1


def prep_get_many(r):
    _check(r.get(many_key(12345)) == many_value(12345), 'GET %r' % many_key(12345))
    keys = itertools.cycle([many_key(i) for i in range(MANY_KEYS_COUNT)])
    get = r.get
    return (lambda: get(next(keys))), 1


def _prep_keyslot(r, keys):
    sample = keys[:40] + keys[-40:]
    got = [r.keyslot(k) for k in sample]
    _check(got == [reference_slot(k) for k in sample], 'keyslot differs from CRC16 mod 16384')
    chunks = [keys[i:i + KEYSLOT_CHUNK] for i in range(0, len(keys), KEYSLOT_CHUNK)]
    keyslot = r.keyslot
    turn = itertools.cycle(chunks)

    def op():
        for key in next(turn):
            keyslot(key)
    return op, KEYSLOT_CHUNK


def prep_keyslot(r):
    """The same 1,000 keys over and over (a client may remember their slots)."""
    return _prep_keyslot(r, _keyslot_keys('h', KEYSLOT_CHUNK))


def prep_keyslot_cold(r):
    """100,000 keys in turn: more than a client remembers, so every slot is computed."""
    return _prep_keyslot(r, _keyslot_keys('c', MANY_KEYS_COUNT))


def loop_runner(prepare):
    def run(r, ctx):
        op, ops_per_call = prepare(r)
        return time_loop(op, ops_per_call, ctx.duration)
    return run


# -- failover: INCR in a loop while the harness SIGKILLs the master of the keys

FAILOVER_GAP = 0.05          # a pause between two successes longer than this is recorded
FAILOVER_OUTAGE = 0.2        # ... and one longer than this after the kill is the outage
ERROR_PAUSE = 0.001          # the loop's pause after an error reached it


def _kill_time_reader(killed):
    # the harness writes "KILLED <time.monotonic()>" on stdin right after the kill
    line = sys.stdin.readline()
    if line.startswith('KILLED '):
        killed.append(float(line.split()[1]))


def run_failover(r, ctx):
    """INCR the keys in turn (all on one master's slots) until the harness has killed
    that master and the client has served them again for ``ctx.settle`` seconds.

    Protocol: after a warm-up the worker prints ``READY`` on stdout; the harness
    kills the master and writes ``KILLED <monotonic time>`` on stdin.  The
    recovery time is the end of the first success after the outage minus the
    kill time (CLOCK_MONOTONIC is one clock for every process).  The outage is
    the longest pause between two successes that ends after the kill: a client
    that raises errors and one that blocks inside its own retries are measured
    the same way.  An error that reaches the loop is counted and followed by
    a 1 ms pause, as an application would.
    """
    keys = ctx.keys
    _check(len(keys) > 0, 'no failover keys')
    first = r.incr(keys[0])
    _check(isinstance(first, int) and first >= 1, 'INCR %r' % keys[0])
    warm_until = time.monotonic() + 0.5
    count = len(keys)
    i = 0
    while time.monotonic() < warm_until:
        r.incr(keys[i % count])
        i += 1
    killed = []
    reader = threading.Thread(target=_kill_time_reader, args=(killed,), daemon=True)
    reader.start()
    sys.stdout.write('READY\n')
    sys.stdout.flush()
    gaps = []
    errors = {}
    first_error = None
    acked = failed = 0
    last_ok = time.monotonic()
    deadline = last_ok + ctx.deadline
    while True:
        key = keys[i % count]
        i += 1
        try:
            r.incr(key)
        except Exception as exc:
            now = time.monotonic()
            failed += 1
            name = type(exc).__name__
            errors[name] = errors.get(name, 0) + 1
            if first_error is None:
                first_error = '%s: %s' % (name, str(exc).splitlines()[0] if str(exc) else '')
            if now > deadline:
                break
            time.sleep(ERROR_PAUSE)
            continue
        now = time.monotonic()
        acked += 1
        if now - last_ok > FAILOVER_GAP:
            gaps.append((last_ok, now))
        last_ok = now
        if killed:
            outage = _outage(gaps, killed[0])
            if outage is not None and now - outage[1] >= ctx.settle:
                break
        if now > deadline:
            break
    if not killed:
        raise BenchError('the harness never reported the kill')
    kill_time = killed[0]
    outage = _outage(gaps, kill_time)
    if outage is None:
        raise BenchError('no recovery within %.0f s of the kill (%d errors: %s)'
                         % (ctx.deadline, failed, first_error))
    return {'value': (outage[1] - kill_time) * 1000.0, 'kill_time': kill_time,
            'outage_start': outage[0], 'outage_end': outage[1], 'acked': acked, 'failed': failed,
            'errors': errors, 'first_error': first_error,
            'gaps_ms': [round((b - a) * 1000.0, 1) for a, b in gaps if b > kill_time]}


def _outage(gaps, kill_time):
    """The longest recorded pause ending after the kill, if it is long enough to be the outage."""
    after = [g for g in gaps if g[1] > kill_time and g[1] - g[0] >= FAILOVER_OUTAGE]
    if not after:
        return None
    return max(after, key=lambda g: g[1] - g[0])


class ClusterWorkload(object):
    """One row: what is measured, its unit, the goal for clone / redis-py, the keys it needs."""

    def __init__(self, name, title, unit, run, goal=None, datasets=(), higher_is_better=True,
                 quick=True, failover=False, counts_commands=True):
        self.name = name
        self.title = title
        self.unit = unit
        self.run = run
        self.goal = goal
        self.datasets = tuple(datasets)
        self.higher_is_better = higher_is_better
        self.quick = quick
        self.failover = failover              # needs a cluster of its own, which it damages
        self.counts_commands = counts_commands  # each op is that many server commands

    def __repr__(self):
        return 'ClusterWorkload(%r, unit=%r)' % (self.name, self.unit)


CLUSTER_WORKLOAD_LIST = [
    ClusterWorkload('get', 'GET, one key', 'ops/s', loop_runner(prep_get), goal=1.3,
                    datasets=['small']),
    ClusterWorkload('set', 'SET, one key', 'ops/s', loop_runner(prep_set), goal=1.3,
                    datasets=['small']),
    ClusterWorkload('get_many', 'GET, 100,000 keys in turn', 'ops/s', loop_runner(prep_get_many),
                    datasets=['many'], quick=False),
    ClusterWorkload('pipe_set', 'pipeline of 1,000 SET over all masters', 'cmds/s',
                    loop_runner(prep_pipe_set), goal=2.0),
    ClusterWorkload('keyslot', 'keyslot(), the same 1,000 keys', 'keys/s',
                    loop_runner(prep_keyslot), goal=5.0, counts_commands=False),
    ClusterWorkload('keyslot_cold', 'keyslot(), 100,000 keys in turn', 'keys/s',
                    loop_runner(prep_keyslot_cold), goal=5.0, counts_commands=False),
    ClusterWorkload('failover', 'recovery after SIGKILL of a master', 'ms', run_failover,
                    higher_is_better=False, failover=True, counts_commands=False),
]
CLUSTER_WORKLOADS = dict((w.name, w) for w in CLUSTER_WORKLOAD_LIST)
