"""Benchmark this project's RedisCluster against today's redis-py RedisCluster.

    python benchmarks/cluster.py              # full: 5 rounds of 1 s, 3 failovers each
    python benchmarks/cluster.py --quick      # 3 rounds of 0.2 s, 1 failover each
    python benchmarks/run.py --cluster ...    # the same, through run.py
    python benchmarks/cluster.py --only get,keyslot --contestants clone-hi,latest-hi

Starts a real 6-node cluster (3 masters, 3 replicas) with tests/clusterserver.py
for the throughput rows, and for every failover sample a fresh one with a
2,000 ms cluster-node-timeout, whose master it SIGKILLs.  Contestants: this
project and redis-py, each with and without hiredis, in the venvs of envs.py.
See the "Cluster" section of benchmarks/README.md.
"""
import argparse
import json
import os
import platform
import selectors
import signal
import statistics
import subprocess
import sys
import time

import envs
import report
import server
from cluster_workloads import CLUSTER_WORKLOAD_LIST, CLUSTER_WORKLOADS, many_key, many_value, \
    reference_slot
from run import DEFAULT_CACHE, ROOT, log, machine_description
from worker import RESULT_PREFIX
from workloads import SMALL_VALUE

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(BENCH_DIR, 'cluster_worker.py')
# the tests' cluster starter, used as it is (imported by path, never copied)
sys.path.append(os.path.join(ROOT, 'tests'))
import clusterserver  # noqa: E402

CONTESTANT_NAMES = ['clone-py', 'clone-hi', 'latest-py', 'latest-hi']
FAILOVER_KEYS = 20
PROMOTION_POLL = 0.005


def _split(value):
    return [x.strip() for x in value.split(',') if x.strip()]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--quick', action='store_true', help='3 rounds of 0.2 s, one failover per contestant')
    p.add_argument('--only', type=_split, help='workloads, comma separated (see --list)')
    p.add_argument('--contestants', type=_split, help='contestants, comma separated (see --list)')
    p.add_argument('--rounds', type=int, help='rounds of the throughput rows (default 5, quick 3)')
    p.add_argument('--duration', type=float, help='seconds per measurement (default 1.0, quick 0.2)')
    p.add_argument('--failover-rounds', type=int, help='failovers per contestant (default 3, quick 1)')
    p.add_argument('--node-timeout', type=int, default=2000,
                   help='cluster-node-timeout (ms) of the failover clusters (default 2000)')
    p.add_argument('--json', metavar='FILE', help='also write all samples and metadata here')
    p.add_argument('--root', default=ROOT, help='checkout whose redis/ is the clone (default: this one)')
    p.add_argument('--cache-dir', default=DEFAULT_CACHE, help='where the venvs live')
    p.add_argument('--python', help='interpreter the venvs are built from (default: this one)')
    p.add_argument('--refresh', action='store_true', help='rebuild the selected venvs (new "latest")')
    p.add_argument('--pin', choices=['same', 'split', 'none'], default='same',
                   help='CPU pinning of the nodes and the workers, as in run.py (default same)')
    p.add_argument('--stat', choices=['median', 'best'], default='median',
                   help='what a cell shows: the median of the rounds (default) or the best one')
    p.add_argument('--list', action='store_true', help='list workloads and contestants and exit')
    return p.parse_args(argv)


def select(args):
    names = args.only or [w.name for w in CLUSTER_WORKLOAD_LIST if w.quick or not args.quick]
    unknown = [n for n in names if n not in CLUSTER_WORKLOADS]
    if unknown:
        raise SystemExit('unknown workload(s): %s (see --list)' % ', '.join(unknown))
    chosen = [w for w in CLUSTER_WORKLOAD_LIST if w.name in names]
    wanted = args.contestants or CONTESTANT_NAMES
    unknown = [n for n in wanted if n not in CONTESTANT_NAMES]
    if unknown:
        raise SystemExit('unknown contestant(s): %s (cluster contestants: %s)'
                         % (', '.join(unknown), ', '.join(CONTESTANT_NAMES)))
    return chosen, [envs.CONTESTANTS[n] for n in CONTESTANT_NAMES if n in wanted]


class BenchCluster(object):
    """A tests/clusterserver.py cluster whose nodes are pinned like run.py's server."""

    def __init__(self, cpus, node_timeout_ms=5000):
        self.cpus = cpus
        self.cluster = clusterserver.RedisCluster(node_timeout_ms=node_timeout_ms)
        self.owner = None

    def __repr__(self):
        return 'BenchCluster(%r)' % (self.cluster,)

    def start(self):
        self.cluster.start()
        if self.cpus and hasattr(os, 'sched_setaffinity'):
            for node in self.cluster.nodes:
                # every thread of the node, its background threads too
                for tid in os.listdir('/proc/%d/task' % node.pid):
                    os.sched_setaffinity(int(tid), set(self.cpus))
        self.owner = [None] * clusterserver.CLUSTER_SLOTS
        for (first, last), (master, _) in self.cluster.slots().items():
            self.owner[first:last + 1] = [master] * (last - first + 1)
        return self

    def stop(self):
        self.cluster.stop()

    @property
    def masters(self):
        return sorted(set(self.owner), key=lambda n: n.port)

    def master_of(self, key):
        return self.owner[reference_slot(key)]

    def load(self, commands):
        """Send each (command, key, ...) to the master of its key, pipelined per master."""
        by_master = {}
        for cmd in commands:
            by_master.setdefault(self.master_of(cmd[1]), []).append(cmd)
        for master, cmds in by_master.items():
            conn = server.RawConnection(master.host, master.port)
            try:
                conn.pipeline(cmds, chunk=1000)
            finally:
                conn.close()

    def commands_processed(self):
        total = 0
        for master in self.masters:
            total += int(master.command('INFO', 'stats').decode().split(
                'total_commands_processed:')[1].split()[0])
        return total


def datasets(names):
    if 'small' in names:
        yield ('SET', 'bench:get', SMALL_VALUE)
        yield ('SET', 'bench:set', SMALL_VALUE)
    if 'many' in names:
        for i in range(100000):
            yield ('SET', many_key(i), many_value(i))


def worker_command(contestant, workload, args, host, port, keys=()):
    return [envs.venv_python(args.cache_dir, contestant), '-I', WORKER,
            '--target', 'clone' if contestant.target == 'clone' else 'redispy',
            '--parser', contestant.parser, '--root', args.root, '--workload', workload.name,
            '--host', host, '--port', str(port), '--duration', repr(args.duration),
            '--keys', ','.join(keys)]


def parse_result(text, returncode, stderr):
    for line in reversed(text.splitlines()):
        if line.startswith(RESULT_PREFIX):
            doc = json.loads(line[len(RESULT_PREFIX):])
            if not doc['ok']:
                raise RuntimeError(doc['error'], doc.get('traceback'))
            return doc['result']
    lines = stderr.strip().splitlines()
    raise RuntimeError('worker exited with code %s: %s' % (returncode, lines[-1] if lines else ''))


def run_loop(contestant, workload, args, bench):
    """One throughput measurement in a fresh process; (value, extra) or RuntimeError."""
    start_node = bench.masters[0]
    cmd = worker_command(contestant, workload, args, start_node.host, start_node.port)
    timeout = 120 + 20 * args.duration
    before = bench.commands_processed()
    try:
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                             cwd=args.cache_dir, preexec_fn=server.pin_to(args.client_cpus))
    except subprocess.TimeoutExpired:
        raise RuntimeError('timeout: no result after %d s' % timeout)
    result = parse_result(out.stdout.decode(errors='replace'), out.returncode,
                          out.stderr.decode(errors='replace'))
    if workload.counts_commands:
        # a client that skips round trips must not post a fast number
        seen = bench.commands_processed() - before
        result['server_commands'] = seen
        if seen < result.get('commands', 0):
            raise RuntimeError('the masters processed %d commands but the client counted %d'
                               % (seen, result['commands']))
    return result.pop('value'), result


def _read_until_ready(proc, timeout):
    """Lines the worker printed before READY (or before it ended without it)."""
    lines = []
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if not sel.select(max(0.0, deadline - time.monotonic())):
                continue
            line = proc.stdout.readline()
            if not line:
                return False, lines
            if line.strip() == 'READY':
                return True, lines
            lines.append(line)
    finally:
        sel.close()
    return False, lines


def _wait_promotion(replicas, timeout):
    """monotonic time at which one of ``replicas`` reported role:master, or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for node in replicas:
            try:
                if node.info().get('role') == 'master':
                    return time.monotonic()
            except (OSError, clusterserver.RawReplyError):
                pass
        time.sleep(PROMOTION_POLL)
    return None


def run_failover(contestant, workload, args):
    """One failover sample on a fresh cluster: (recovery ms, extra) or RuntimeError."""
    bench = BenchCluster(args.server_cpus, node_timeout_ms=args.node_timeout).start()
    proc = None
    try:
        victim, other = bench.masters[0], bench.masters[1]
        replicas = bench.cluster.replicas_of(victim)
        keys = []
        i = 0
        while len(keys) < FAILOVER_KEYS:
            key = 'bench:fo:%d' % i
            if bench.master_of(key) is victim:
                keys.append(key)
            i += 1
        cmd = worker_command(contestant, workload, args, other.host, other.port, keys)
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, cwd=args.cache_dir, universal_newlines=True,
                                preexec_fn=server.pin_to(args.client_cpus))
        ready, early = _read_until_ready(proc, 60)
        if not ready:
            out, err = proc.communicate(timeout=30)
            parse_result(''.join(early) + out, proc.returncode, err)
            raise RuntimeError('the worker never said READY')
        time.sleep(0.3)
        killed_at = time.monotonic()
        os.kill(victim.pid, signal.SIGKILL)
        proc.stdin.write('KILLED %r\n' % killed_at)
        proc.stdin.flush()
        victim.process.wait()
        promoted_at = _wait_promotion(replicas, 60)
        out, err = proc.communicate(timeout=120)
        result = parse_result(''.join(early) + out, proc.returncode, err)
        result['promoted_ms'] = None if promoted_at is None else (promoted_at - killed_at) * 1000.0
        return result.pop('value'), result
    except subprocess.TimeoutExpired:
        raise RuntimeError('timeout: the failover worker did not finish')
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        bench.stop()


def measure(chosen, contestants, args, bench):
    cells = {}
    for w in chosen:
        row = cells.setdefault(w.name, dict((c.name, report.Cell()) for c in contestants))
        rounds = args.failover_rounds if w.failover else args.rounds
        for rnd in range(rounds):
            shift = rnd % len(contestants)
            done = []
            for contestant in contestants[shift:] + contestants[:shift]:
                cell = row[contestant.name]
                if cell.error:
                    continue   # a failure repeats every round; don't spend the time
                try:
                    if w.failover:
                        value, extra = run_failover(contestant, w, args)
                    else:
                        value, extra = run_loop(contestant, w, args, bench)
                    cell.samples.append(value)
                    cell.extras.append(extra)
                    done.append('%s %s' % (contestant.name, report.fmt_value(value, w.unit)))
                except (RuntimeError, OSError, subprocess.SubprocessError,
                        clusterserver.ClusterError) as exc:
                    cell.error = str(exc.args[0]) if exc.args else repr(exc)
                    cell.traceback = exc.args[1] if len(exc.args) > 1 else None
                    done.append('%s error' % contestant.name)
            log('[%s] round %d/%d: %s' % (w.name, rnd + 1, rounds, ', '.join(done)))
    return cells


def _cell_text(cell, unit, stat, hib, footnotes):
    if cell is None:
        return '-'
    if cell.error:
        if cell.error not in footnotes:
            footnotes.append(cell.error)
        return 'error[%d]' % (footnotes.index(cell.error) + 1)
    return report.fmt_value(cell.summary(stat, hib), unit)


def _ratio(row, clone, other, stat, hib):
    a, b = row.get(clone), row.get(other)
    if a is None or b is None:
        return ''
    ratio = report.speedup(a.summary(stat, hib), b.summary(stat, hib), hib)
    return '' if ratio is None else '%.2fx' % ratio


def build_table(chosen, contestants, cells, meta):
    names = [c.name for c in contestants]
    stat = meta['stat']
    header = ['workload', 'unit'] + [envs.CONTESTANTS[n].label.replace('latest', meta['latest'])
                                     for n in names]
    pairs = [(c, r) for c, r in (('clone-py', 'latest-py'), ('clone-hi', 'latest-hi'))
             if c in names and r in names]
    header += ['%s / redis-py (%s)' % (c, r.split('-')[1]) for c, r in pairs]
    header += ['goal', 'spread']
    lines = ['| ' + ' | '.join(header) + ' |', '|' + ' --- |' * len(header)]
    footnotes = []
    for w in chosen:
        row = cells.get(w.name, {})
        hib = w.higher_is_better
        out = [w.title, w.unit] + [_cell_text(row.get(n), w.unit, stat, hib, footnotes) for n in names]
        out += [_ratio(row, c, r, stat, hib) for c, r in pairs]
        out.append('>= %.1fx' % w.goal if w.goal else 'side by side')
        spreads = [c.spread for c in row.values() if c.spread is not None]
        out.append('%d%%' % round(100 * max(spreads)) if spreads else '')
        lines.append('| ' + ' | '.join(out) + ' |')
    if 'failover' in cells:
        lines += [''] + failover_table(cells['failover'], names, meta['latest'])
    if footnotes:
        lines.append('')
        lines += ['[%d] %s' % (i, text) for i, text in enumerate(footnotes, 1)]
    lines.append('')
    lines += ['- ' + note for note in notes(meta)]
    return '\n'.join(lines)


def failover_table(row, names, latest):
    """Per contestant: recovery, the replica's promotion, the client's own lag, errors seen."""
    lines = ['| failover (medians) | recovery ms | replica promoted ms | client lag ms '
             '| errors reaching the loop | error types | samples (recovery ms) |',
             '| --- | --- | --- | --- | --- | --- | --- |']
    for name in names:
        cell = row.get(name)
        if cell is None or cell.error or not cell.samples:
            continue
        promoted = [e['promoted_ms'] for e in cell.extras if e.get('promoted_ms') is not None]
        lags = [v - e['promoted_ms'] for v, e in zip(cell.samples, cell.extras)
                if e.get('promoted_ms') is not None]
        kinds = {}
        for e in cell.extras:
            for kind, count in e.get('errors', {}).items():
                kinds[kind] = kinds.get(kind, 0) + count
        lines.append('| %s | %.0f | %s | %s | %s | %s | %s |' % (
            envs.CONTESTANTS[name].label.replace('latest', latest), statistics.median(cell.samples),
            '%.0f' % statistics.median(promoted) if promoted else '?',
            '%.0f' % statistics.median(lags) if lags else '?',
            '%g' % statistics.median(e.get('failed', 0) for e in cell.extras),
            ', '.join('%s %d' % kv for kv in sorted(kinds.items())) or 'none',
            ', '.join('%.0f' % v for v in cell.samples)))
    return lines


def notes(meta):
    out = ['%s of %d rounds of %.2g s per throughput cell (failover: %d per contestant); each '
           'measurement is a fresh process, contestants alternate within a round.'
           % ('Best' if meta['stat'] == 'best' else 'Medians', meta['rounds'], meta['duration'],
              meta['failover_rounds']),
           'Ratios are > 1 when the clone is better (for the ms row: redis-py / clone). '
           '"goal" is issue 15\'s target for those ratios.',
           'Python %s, redis-server %s, %s.' % (meta['python'], meta['redis_server'], meta['machine']),
           'Cluster: 6 redis-server processes (3 masters, 3 replicas) from tests/clusterserver.py; '
           'each client gets one master as its startup node and default options.',
           'Failover: a fresh cluster per sample with cluster-node-timeout %d ms; the worker INCRs '
           '%d keys of one master in turn (1 ms pause after an error reaches it); the harness '
           'SIGKILLs that master; recovery = first success after the outage minus the kill time; '
           '"replica promoted" = when its replica first reports role:master (polled every %d ms); '
           '"client lag" = recovery - promotion.'
           % (meta['node_timeout'], FAILOVER_KEYS, PROMOTION_POLL * 1000)]
    if meta['pin'] == 'same':
        out.append('Pinning: every node and every worker on CPU %s, as run.py does.' % meta['server_cpus'])
    elif meta['pin'] == 'split':
        out.append('Pinning: the nodes on CPU %s, the workers on CPU %s.'
                   % (meta['server_cpus'], meta['client_cpus']))
    else:
        out.append('No CPU pinning.')
    parts = []
    for name, v in sorted(meta['versions'].items()):
        bits = ['redis %s' % v['redis'] if v.get('redis') else 'no redis package (the clone)']
        if v.get('hiredis'):
            bits.append('hiredis %s' % v['hiredis'])
        parts.append('%s: %s' % (name, ', '.join(bits)))
    out.append('Venvs: ' + '; '.join(parts) + '.')
    return out


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.list:
        for w in CLUSTER_WORKLOAD_LIST:
            print('workload    %-13s %s%s' % (w.name, w.title, '' if w.quick else ' (full run only)'))
        for name in CONTESTANT_NAMES:
            print('contestant  %-13s %s' % (name, envs.CONTESTANTS[name].label))
        return 0
    args.rounds = args.rounds or (3 if args.quick else 5)
    args.duration = args.duration or (0.2 if args.quick else 1.0)
    args.failover_rounds = args.failover_rounds or (1 if args.quick else 3)
    args.root = os.path.abspath(args.root)
    args.cache_dir = os.path.abspath(args.cache_dir)
    os.makedirs(args.cache_dir, exist_ok=True)
    chosen, contestants = select(args)
    started = time.time()
    markers = envs.ensure_venvs(args.cache_dir, contestants, args.python, args.refresh, log)
    args.server_cpus, args.client_cpus = server.plan_cpus(args.pin)
    latest = [m['versions'].get('redis') for n, m in markers.items() if n.startswith('latest')]
    meta = {'python': platform.python_version(), 'machine': machine_description(),
            'rounds': args.rounds, 'duration': args.duration, 'failover_rounds': args.failover_rounds,
            'node_timeout': args.node_timeout, 'root': args.root, 'quick': args.quick,
            'pin': args.pin, 'stat': args.stat, 'server_cpus': args.server_cpus,
            'client_cpus': args.client_cpus, 'contestants': [c.name for c in contestants],
            'latest': latest[0] if latest else 'latest',
            'versions': dict((n, m['versions']) for n, m in markers.items()),
            'started': time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(started))}
    loops = [w for w in chosen if not w.failover]
    bench = None
    try:
        if loops:
            bench = BenchCluster(args.server_cpus).start()
            log('cluster up: %r' % (bench.cluster,))
            needed = set(d for w in loops for d in w.datasets)
            bench.load(datasets(needed))
        meta['redis_server'] = server_version()
        cells = measure(chosen, contestants, args, bench)
    finally:
        if bench is not None:
            bench.stop()
    meta['seconds'] = round(time.time() - started, 1)
    print(build_table(chosen, contestants, cells, meta))
    if args.json:
        with open(args.json, 'w') as f:
            f.write(json.dumps({'meta': meta, 'workloads': dict(
                (w.name, {'title': w.title, 'unit': w.unit, 'goal': w.goal,
                          'higher_is_better': w.higher_is_better,
                          'results': dict((n, c.as_dict()) for n, c in cells.get(w.name, {}).items())})
                for w in chosen)}, indent=1))
        log('wrote %s' % args.json)
    return 0


def server_version():
    out = subprocess.run([clusterserver.servers.find_redis_server(), '--version'],
                         stdout=subprocess.PIPE, universal_newlines=True).stdout
    return out.split(' v=')[1].split()[0] if ' v=' in out else out.strip()


if __name__ == '__main__':
    sys.exit(main())
