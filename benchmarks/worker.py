"""Run one workload for one contestant and print its result as one JSON line.

Started by run.py as ``VENV/bin/python -I worker.py --target ... --workload ...``.
``-I`` keeps PYTHONPATH, the user site and this script's folder off sys.path, so
``import redis`` finds exactly one package: this project (``--target clone``, its
root is put first on sys.path) or the redis-py installed in the virtual
environment (``--target redispy``).  The result line starts with RESULT_PREFIX so
anything a client prints cannot be mistaken for it.
"""
import argparse
import json
import os
import sys
import traceback

RESULT_PREFIX = 'BENCH-RESULT '
BENCH_DIR = os.path.dirname(os.path.abspath(__file__))


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--target', choices=['clone', 'redispy', 'floor'], required=True)
    parser.add_argument('--parser', choices=['python', 'hiredis'], required=True)
    parser.add_argument('--root', help='checkout whose redis/ package is the clone')
    parser.add_argument('--workload', required=True)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--duration', type=float, default=1.0)
    parser.add_argument('--import-runs', type=int, default=5)
    return parser.parse_args(argv)


def hiredis_version():
    try:
        import hiredis
    except ImportError:
        return None
    return getattr(hiredis, '__version__', 'unknown')


def check_isolation(redis, args):
    """Fail loudly when the wrong redis package or the wrong hiredis setting is in use."""
    where = os.path.realpath(redis.__file__)
    if args.target == 'clone':
        expected = os.path.realpath(os.path.join(args.root, 'redis'))
        if not where.startswith(expected + os.sep):
            raise RuntimeError('imported redis from %s, expected the clone in %s' % (where, expected))
    elif not where.startswith(os.path.realpath(sys.prefix) + os.sep):
        raise RuntimeError('imported redis from %s, outside the venv %s' % (where, sys.prefix))
    has_hiredis = hiredis_version() is not None
    if has_hiredis != (args.parser == 'hiredis'):
        raise RuntimeError('hiredis is %s installed in %s, but the contestant wants parser %s'
                           % ('' if has_hiredis else 'not', sys.prefix, args.parser))


def make_client(redis, args):
    if args.target == 'redispy':
        # redis-py picks HiredisParser by itself when hiredis is importable
        return redis.StrictRedis(host=args.host, port=args.port)
    import redis.connection
    parser_class = {'python': redis.connection.PythonParser,
                    'hiredis': redis.connection.HiredisParser}[args.parser]
    pool = redis.ConnectionPool(host=args.host, port=args.port, parser_class=parser_class)
    return redis.StrictRedis(connection_pool=pool)


def parser_in_use(client):
    """Class name of the reply parser of a pooled connection, or None if not visible."""
    pool = getattr(client, 'connection_pool', None)
    for attr in ('_available_connections', '_in_use_connections'):
        conns = getattr(pool, attr, None) or ()
        for conn in conns:
            parser = getattr(conn, '_parser', None)
            if parser is not None:
                return type(parser).__name__
    kwargs = getattr(pool, 'connection_kwargs', {}) or {}
    parser_class = kwargs.get('parser_class')
    return getattr(parser_class, '__name__', None)


def run(args):
    sys_path_prefix = [os.path.abspath(args.root)] if args.target == 'clone' else []
    sys.path[:0] = sys_path_prefix
    # appended last, so nothing in benchmarks/ can shadow the stdlib or redis
    sys.path.append(BENCH_DIR)
    import workloads
    workload = workloads.WORKLOADS[args.workload]
    ctx = workloads.Context(args.host, args.port, args.duration, sys_path_prefix, args.import_runs)
    if args.target == 'floor':
        if not workload.floor:
            raise RuntimeError('the floor has no %s workload' % workload.name)
        import floor
        result = workload.run(floor.FloorClient(args.host, args.port), ctx)
        result.update({'python': sys.version.split()[0], 'parser': 'FloorClient'})
        return result
    import redis
    check_isolation(redis, args)
    info = {'redis_version': getattr(redis, '__version__', None), 'redis_file': redis.__file__,
            'hiredis_version': hiredis_version(), 'python': sys.version.split()[0]}
    client = make_client(redis, args) if workload.needs_client else None
    result = workload.run(client, ctx)
    if client is not None:
        info['parser'] = parser_in_use(client)
        if args.target == 'redispy' and info['parser']:
            if ('Hiredis' in info['parser']) != (args.parser == 'hiredis'):
                raise RuntimeError('redis-py used %s, expected the %s parser' % (info['parser'], args.parser))
    result.update(info)
    return result


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
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
