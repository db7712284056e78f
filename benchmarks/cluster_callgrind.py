"""Instructions per operation of each cluster contestant, counted by callgrind.

    python benchmarks/cluster_callgrind.py                  # every op, every contestant
    python benchmarks/cluster_callgrind.py --ops get,pipe_set --contestants clone-hi,latest-hi

Timings on a shared 2-core machine move by tens of percent from one run to the
next; instruction counts do not.  For each contestant and operation this runs
``valgrind --tool=callgrind`` twice on a fresh process that builds the client,
prepares the operation (one warm call) and then runs it N and 2N times; the
difference divided by N is the count per operation, start-up and warm-up
excluded.  It counts the client's own work only (system calls and the server
are not in it), which is exactly what differs between clients.  Slow: a few
minutes for everything.  Starts its own cluster (tests/clusterserver.py) and
stops it at the end.
"""
import argparse
import os
import re
import subprocess
import sys

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH_DIR)
# op -> (N, unit of one op); the pipeline op is one pipeline of 1,000 commands
OPS = {
    'get': (2000, 'GET'),
    'get_standalone': (2000, 'GET on StrictRedis (one node, no cluster client)'),
    'set': (2000, 'SET'),
    'pipe_set': (10, 'pipeline of 1,000 SET'),
    'keyslot': (20, '1,000 keyslot() calls, the same keys'),
    'keyslot_cold': (20, '1,000 keyslot() calls, new keys'),
}


def child(argv):
    """Inside the contestant's venv, under valgrind: build, prepare, run the op N times."""
    target, parser, root, op_name, host, port, count = argv
    sys.path[:0] = [root] if target == 'clone' else []
    sys.path.append(BENCH_DIR)
    import cluster_workloads as cw
    import redis
    from cluster_worker import make_cluster_client
    args = argparse.Namespace(target=target, parser=parser, host=host, port=int(port))
    if op_name == 'get_standalone':
        from worker import make_client
        op, _ = cw.prep_get(make_client(redis, args))
    else:
        client = make_cluster_client(redis, args)
        prepare = {'get': cw.prep_get, 'set': cw.prep_set, 'pipe_set': cw.prep_pipe_set,
                   'keyslot': cw.prep_keyslot, 'keyslot_cold': cw.prep_keyslot_cold}[op_name]
        op, _ = prepare(client)
    for _ in range(int(count)):
        op()
    os._exit(0)


def instructions(cmd):
    out = subprocess.run(['valgrind', '--tool=callgrind', '--callgrind-out-file=/dev/null'] + cmd,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    match = re.search(r'Collected : (\d+)', out.stdout)
    if out.returncode != 0 or not match:
        raise RuntimeError('callgrind failed: %s' % out.stdout.strip().splitlines()[-3:])
    return int(match.group(1))


def main(argv=None):
    if argv is None and sys.argv[1:2] == ['--child']:
        # inside a venv under valgrind: nothing of the harness is imported
        return child(sys.argv[2:])
    # the harness side (the child's sys.path does not hold benchmarks/)
    import envs
    from cluster import CONTESTANT_NAMES, BenchCluster, datasets
    from run import DEFAULT_CACHE, log
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--ops', default=','.join(OPS), help='comma separated: %s' % ', '.join(OPS))
    p.add_argument('--contestants', default=','.join(CONTESTANT_NAMES))
    p.add_argument('--root', default=ROOT, help='checkout whose redis/ is the clone')
    p.add_argument('--cache-dir', default=DEFAULT_CACHE)
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    ops = [o for o in args.ops.split(',') if o]
    names = [n for n in args.contestants.split(',') if n]
    for bad in [o for o in ops if o not in OPS] + [n for n in names if n not in CONTESTANT_NAMES]:
        raise SystemExit('unknown op or contestant: %s' % bad)
    contestants = [envs.CONTESTANTS[n] for n in names]
    markers = envs.ensure_venvs(os.path.abspath(args.cache_dir), contestants, log=log)
    bench = BenchCluster(None).start()
    try:
        bench.load(datasets({'small'}))
        start = bench.masters[0]
        owner = bench.master_of('bench:get')
        rows = []
        for op in ops:
            count, unit = OPS[op]
            node = owner if op == 'get_standalone' else start
            row = [op]
            for c in contestants:
                cmd = [envs.venv_python(os.path.abspath(args.cache_dir), c), '-I',
                       os.path.abspath(__file__), '--child', c.target, c.parser,
                       os.path.abspath(args.root), op, node.host, str(node.port)]
                once = instructions(cmd + [str(count)])
                twice = instructions(cmd + [str(2 * count)])
                row.append((twice - once) // count)
                log('%s %s: %d instructions per %s' % (op, c.name, row[-1], unit))
            rows.append(row)
    finally:
        bench.stop()
    latest = [m['versions'].get('redis') for n, m in markers.items() if n.startswith('latest')]
    labels = [c.label.replace('latest', latest[0] if latest else 'latest') for c in contestants]
    print('| op (instructions per op) | ' + ' | '.join(labels) + ' |')
    print('|' + ' --- |' * (len(labels) + 1))
    for row in rows:
        print('| %s | %s |' % (OPS[row[0]][1], ' | '.join('{:,}'.format(v) for v in row[1:])))
    return 0


if __name__ == '__main__':
    sys.exit(main())
