"""Run one cluster workload for one contestant and print its result as one JSON line.

Started by benchmarks/cluster.py as ``VENV/bin/python -I cluster_worker.py ...``,
isolated the same way as worker.py: ``import redis`` finds this project (its
root first on sys.path) or the redis-py of the venv, never both.  The client is
``redis.cluster.RedisCluster(host=..., port=...)`` of that package, given one
startup node; this project's also gets the parser class the contestant names
(redis-py picks hiredis by itself when it is installed).
"""
import argparse
import json
import os
import sys
import traceback

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--target', choices=['clone', 'redispy'], required=True)
    parser.add_argument('--parser', choices=['python', 'hiredis'], required=True)
    parser.add_argument('--root', help='checkout whose redis/ package is the clone')
    parser.add_argument('--workload', required=True)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--duration', type=float, default=1.0)
    parser.add_argument('--keys', default='', help='failover: comma-separated keys of the victim')
    parser.add_argument('--deadline', type=float, default=60.0)
    return parser.parse_args(argv)


def make_cluster_client(redis, args):
    from redis.cluster import RedisCluster
    if args.target == 'redispy':
        return RedisCluster(host=args.host, port=args.port)
    import redis.connection
    parser_class = {'python': redis.connection.PythonParser,
                    'hiredis': redis.connection.HiredisParser}[args.parser]
    return RedisCluster(host=args.host, port=args.port, parser_class=parser_class)


def cluster_parser_in_use(client, parser_in_use):
    """The parser class name of some node's pooled connection, or None."""
    for node in client.get_nodes():
        node_client = getattr(node, 'redis_connection', None)
        if node_client is not None:
            name = parser_in_use(node_client)
            if name:
                return name
    return None


def run(args):
    sys_path_prefix = [os.path.abspath(args.root)] if args.target == 'clone' else []
    sys.path[:0] = sys_path_prefix
    import cluster_workloads
    from worker import check_isolation, hiredis_version, parser_in_use
    workload = cluster_workloads.CLUSTER_WORKLOADS[args.workload]
    import redis
    check_isolation(redis, args)
    info = {'redis_version': getattr(redis, '__version__', None), 'redis_file': redis.__file__,
            'hiredis_version': hiredis_version(), 'python': sys.version.split()[0]}
    ctx = cluster_workloads.ClusterContext(
        args.duration, [k for k in args.keys.split(',') if k], deadline=args.deadline)
    client = make_cluster_client(redis, args)
    result = workload.run(client, ctx)
    info['parser'] = cluster_parser_in_use(client, parser_in_use)
    if info['parser'] and ('Hiredis' in info['parser']) != (args.parser == 'hiredis'):
        raise RuntimeError('%s used %s, expected the %s parser' % (args.target, info['parser'],
                                                                   args.parser))
    result.update(info)
    return result


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # appended last, so nothing in benchmarks/ can shadow the stdlib or redis
    sys.path.append(BENCH_DIR)
    from worker import RESULT_PREFIX
    try:
        out = {'ok': True, 'result': run(args)}
    except BaseException as exc:  # every failure becomes an `error` cell, never a crash
        lines = str(exc).strip().splitlines()
        out = {'ok': False, 'error': '%s: %s' % (type(exc).__name__, lines[0] if lines else ''),
               'traceback': traceback.format_exc()}
    sys.stdout.write('\n' + RESULT_PREFIX + json.dumps(out) + '\n')
    sys.stdout.flush()
    # skip interpreter teardown: a half-written client must not hang at exit
    os._exit(0)


if __name__ == '__main__':
    main()
