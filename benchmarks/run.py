"""Benchmark this project against redis-py (latest and 2.10.6), with and without hiredis.

    python benchmarks/run.py                 # full suite, a few minutes
    python benchmarks/run.py --quick         # round trips, pipelines, one large reply
    python benchmarks/run.py --only get,lrange --contestants clone-py,latest-py
    python benchmarks/run.py --json out.json
    python benchmarks/run.py --cluster --quick   # the cluster rows (benchmarks/cluster.py)

Starts its own redis-server on a free port in a temp dir and stops it at the end.
See benchmarks/README.md for what each workload measures.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time

import envs
import report
import server
import workloads
from worker import RESULT_PREFIX

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH_DIR)
WORKER = os.path.join(BENCH_DIR, 'worker.py')
DEFAULT_CACHE = os.environ.get('REDIS_CLONE_BENCH_CACHE') or os.path.join(BENCH_DIR, '.cache')


def log(msg):
    sys.stderr.write(msg + '\n')
    sys.stderr.flush()


def _split(value):
    return [x.strip() for x in value.split(',') if x.strip()]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--quick', action='store_true', help='short run of the hot-path workloads (~30 s)')
    p.add_argument('--only', type=_split, help='workloads to run, comma separated (see --list)')
    p.add_argument('--contestants', type=_split,
                   help='contestants, comma separated (see --list); redis-benchmark is one too')
    p.add_argument('--rounds', type=int, help='rounds per workload (default 5, quick 3)')
    p.add_argument('--duration', type=float, help='seconds per measurement (default 1.0, quick 0.1)')
    p.add_argument('--json', metavar='FILE', help='also write all samples and metadata here')
    p.add_argument('--root', default=ROOT, help='checkout whose redis/ is the clone (default: this one)')
    p.add_argument('--cache-dir', default=DEFAULT_CACHE, help='where the venvs live')
    p.add_argument('--python', help='interpreter the venvs are built from (default: this one)')
    p.add_argument('--refresh', action='store_true', help='rebuild the selected venvs (new "latest")')
    p.add_argument('--redis-server', help='redis-server binary')
    p.add_argument('--redis-benchmark', help='redis-benchmark binary')
    p.add_argument('--pin', choices=['same', 'split', 'none'], default='same',
                   help='CPU pinning: server and clients on one CPU (default), on two, or not pinned')
    p.add_argument('--stat', choices=['median', 'best'], default='median',
                   help='what the table shows per cell: median of the rounds, or the best round '
                        '(steadier on a machine shared with other work)')
    p.add_argument('--list', action='store_true', help='list workloads and contestants and exit')
    p.add_argument('--cluster', action='store_true',
                   help='run the cluster rows instead: benchmarks/cluster.py, with its own options')
    return p.parse_args(argv)


def select(args):
    if args.only:
        unknown = [n for n in args.only if n not in workloads.WORKLOADS]
        if unknown:
            raise SystemExit('unknown workload(s): %s (see --list)' % ', '.join(unknown))
        chosen = [w for w in workloads.WORKLOAD_LIST if w.name in args.only]
    elif args.quick:
        chosen = [w for w in workloads.WORKLOAD_LIST if w.quick]
    else:
        chosen = list(workloads.WORKLOAD_LIST)
    names = args.contestants or [c.name for c in envs.CONTESTANT_LIST] + [envs.C_CEILING]
    unknown = [n for n in names if n not in envs.CONTESTANTS and n != envs.C_CEILING]
    if unknown:
        raise SystemExit('unknown contestant(s): %s (see --list)' % ', '.join(unknown))
    contestants = [c for c in envs.CONTESTANT_LIST if c.name in names]
    return chosen, contestants, envs.C_CEILING in names


def machine_description():
    model = None
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    model = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    return '%s, %d CPUs, %s' % (model or platform.processor() or 'unknown CPU', os.cpu_count() or 0,
                                platform.platform())


def run_worker(contestant, workload, args, srv):
    """One measurement in a fresh process; returns (value, extra) or raises RuntimeError."""
    cmd = [envs.venv_python(args.cache_dir, contestant), '-I', WORKER,
           '--target', contestant.target, '--parser', contestant.parser, '--root', args.root,
           '--workload', workload.name, '--host', srv.host, '--port', str(srv.port),
           '--duration', repr(args.duration), '--import-runs', str(args.import_runs)]
    timeout = 60 + 20 * args.duration
    before = srv.commands_processed()
    try:
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                             cwd=args.cache_dir, preexec_fn=server.pin_to(args.client_cpus))
    except subprocess.TimeoutExpired:
        raise RuntimeError('timeout: no result after %d s' % timeout)
    for line in reversed(out.stdout.decode(errors='replace').splitlines()):
        if line.startswith(RESULT_PREFIX):
            doc = json.loads(line[len(RESULT_PREFIX):])
            if not doc['ok']:
                raise RuntimeError(doc['error'], doc.get('traceback'))
            result = doc['result']
            # a client that skips round trips must not post a fast number
            seen = srv.commands_processed() - before
            result['server_commands'] = seen
            if seen < result.get('commands', 0):
                raise RuntimeError('the server processed %d commands but the client counted %d'
                                   % (seen, result['commands']))
            return result.pop('value'), result
    stderr = out.stderr.decode(errors='replace').strip().splitlines()
    raise RuntimeError('worker exited with code %s: %s' % (out.returncode, stderr[-1] if stderr else ''))


def run_c(workload, args, srv, binary):
    requests = max(2000, int(40000 * args.duration))
    return server.run_redis_benchmark(binary, srv.host, srv.port, workload.redis_benchmark, requests,
                                      args.client_cpus), {}


def measure(chosen, contestants, with_c, args, srv, bench_binary):
    cells = {}
    for w in chosen:
        players = [(c.name, c) for c in contestants if c.target != 'floor' or w.floor]
        if with_c and w.redis_benchmark:
            players.append((envs.C_CEILING, None))
        row = cells.setdefault(w.name, dict((name, report.Cell()) for name, _ in players))
        for rnd in range(args.rounds):
            shift = rnd % len(players) if players else 0
            done = []
            for name, contestant in players[shift:] + players[:shift]:
                cell = row[name]
                if cell.error:
                    continue   # a failure repeats every round; don't spend the time
                try:
                    if contestant is None:
                        value, extra = run_c(w, args, srv, bench_binary)
                    else:
                        value, extra = run_worker(contestant, w, args, srv)
                    cell.samples.append(value)
                    cell.extras.append(extra)
                    done.append('%s %s' % (name, report.fmt_value(value, w.unit)))
                except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                    cell.error = str(exc.args[0]) if exc.args else repr(exc)
                    cell.traceback = exc.args[1] if len(exc.args) > 1 else None
                    done.append('%s error' % name)
            log('[%s] round %d/%d: %s' % (w.name, rnd + 1, args.rounds, ', '.join(done)))
    return cells


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if '--cluster' in argv:
        import cluster
        return cluster.main([a for a in argv if a != '--cluster'])
    args = parse_args(argv)
    if args.list:
        for w in workloads.WORKLOAD_LIST:
            print('workload    %-10s %s%s' % (w.name, w.title, ' (quick)' if w.quick else ''))
        for c in envs.CONTESTANT_LIST:
            print('contestant  %-10s %s' % (c.name, c.label))
        print('contestant  %-10s redis-benchmark -c 1 (GET/SET/INCR rows only)' % envs.C_CEILING)
        return 0
    args.rounds = args.rounds or (3 if args.quick else 5)
    args.duration = args.duration or (0.1 if args.quick else 1.0)
    args.import_runs = 3 if args.quick else 5
    args.root = os.path.abspath(args.root)
    args.cache_dir = os.path.abspath(args.cache_dir)
    os.makedirs(args.cache_dir, exist_ok=True)
    chosen, contestants, with_c = select(args)

    started = time.time()
    markers = envs.ensure_venvs(args.cache_dir, contestants, args.python, args.refresh, log)
    server_binary = server.find_binary('redis-server', args.redis_server)
    bench_binary = server.find_binary('redis-benchmark', args.redis_benchmark) if with_c else None
    server_cpus, args.client_cpus = server.plan_cpus(args.pin)
    srv = server.BenchServer(server_binary, cpus=server_cpus).start()
    try:
        log('redis-server pid %d on port %d (%s)' % (srv.proc.pid, srv.port, srv.dir))
        datasets = []
        for w in chosen:
            datasets += [d for d in w.datasets if d not in datasets]
        server.load_datasets(srv, datasets, workloads.DATASETS)
        meta = {'python': platform.python_version(), 'redis_server': srv.version(),
                'machine': machine_description(), 'rounds': args.rounds, 'duration': args.duration,
                'root': args.root, 'quick': args.quick, 'pin': args.pin, 'stat': args.stat,
                'server_cpus': server_cpus, 'client_cpus': args.client_cpus,
                'contestants': [c.name for c in contestants] + ([envs.C_CEILING] if with_c else []),
                'versions': dict((n, m['versions']) for n, m in markers.items()),
                'started': time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(started))}
        cells = measure(chosen, contestants, with_c, args, srv, bench_binary)
    finally:
        srv.stop()
    meta['seconds'] = round(time.time() - started, 1)
    print(report.build_table(chosen, contestants, cells, meta))
    if args.json:
        with open(args.json, 'w') as f:
            f.write(report.to_json(chosen, contestants, cells, meta))
        log('wrote %s' % args.json)
    return 0


if __name__ == '__main__':
    sys.exit(main())
