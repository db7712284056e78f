"""The typed public API: every public method is annotated, the annotations
resolve (on 3.9 too), the package ships py.typed, and ``mypy --strict``
accepts tests/typing_example.py -- and rejects wrong calls, so the example
gets real types, not Any everywhere. The example's functions also run
against the real servers, so what it relies on is what the package does.
"""
import importlib
import inspect
import os
import pkgutil
import re
import subprocess
import sys
import threading
import time
import typing

import pytest

import redis
import redis.commands

import typing_example

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EXAMPLE = os.path.join(HERE, 'typing_example.py')

# Dunder methods users call through syntax: a constructor, ``script()``,
# ``with``. Other dunders are the language's business.
CHECKED_DUNDERS = ('__init__', '__call__', '__enter__', '__exit__')


def _modules():
    names = []
    for package in (redis, redis.commands):
        for info in pkgutil.iter_modules(package.__path__):
            if not info.name.startswith('_'):
                names.append(package.__name__ + '.' + info.name)
    return sorted(names)


def _public_classes():
    seen = {}
    for module_name in _modules():
        module = importlib.import_module(module_name)
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and obj.__module__ == module_name and \
                    not name.startswith('_') and \
                    not issubclass(obj, BaseException):
                seen[obj.__module__ + '.' + obj.__qualname__] = obj
    return seen


PUBLIC_CLASSES = _public_classes()


def _methods(cls):
    """(name, function, has_self) for each public method of ``cls`` that
    the package defines (inherited ones too; not object's or threading's)"""
    for name in dir(cls):
        if name.startswith('_') and name not in CHECKED_DUNDERS:
            continue
        owner = next((klass for klass in cls.__mro__
                      if name in vars(klass)), None)
        if owner is None or not owner.__module__.startswith('redis'):
            continue
        raw = vars(owner)[name]
        if isinstance(raw, property):
            yield name, raw.fget, True
        elif isinstance(raw, staticmethod):
            yield name, raw.__func__, False
        elif isinstance(raw, classmethod):
            yield name, raw.__func__, True
        elif inspect.isfunction(raw):
            yield name, raw, True


def _missing_annotations(func, has_self):
    missing = []
    parameters = list(inspect.signature(func).parameters.values())
    if has_self:
        parameters = parameters[1:]
    for parameter in parameters:
        if parameter.annotation is inspect.Parameter.empty:
            missing.append(parameter.name)
    if inspect.signature(func).return_annotation is inspect.Signature.empty:
        missing.append('return')
    return missing


def _every_method():
    seen = set()
    for cls_name, cls in sorted(PUBLIC_CLASSES.items()):
        for name, func, has_self in _methods(cls):
            if func in seen:
                continue
            seen.add(func)
            yield cls_name, name, func, has_self


def test_the_public_classes_are_found():
    # the check below must look at what users hold, not at nothing
    names = set(PUBLIC_CLASSES)
    for expected in (
            'redis.client.StrictRedis', 'redis.client.Redis',
            'redis.client.StrictPipeline', 'redis.client.Pipeline',
            'redis.pipeline.BasePipeline', 'redis.pubsub.PubSub',
            'redis.pubsub_worker.PubSubWorkerThread',
            'redis.scripting.Script', 'redis.lock.Lock', 'redis.lock.LuaLock',
            'redis.sentinel.Sentinel', 'redis.sentinel.SentinelConnectionPool',
            'redis.sentinel.SentinelManagedConnection',
            'redis.pool.ConnectionPool', 'redis.pool.BlockingConnectionPool',
            'redis.connection_classes.Connection',
            'redis.connection_classes.SSLConnection',
            'redis.connection_classes.UnixDomainSocketConnection',
            'redis.parsers.PythonParser', 'redis.parsers.HiredisParser',
            'redis.packer.Encoder', 'redis.cluster.RedisCluster',
            'redis.cluster_nodes.ClusterNode',
            'redis.cluster_pipeline.ClusterPipeline',
            'redis.cluster_pubsub.ClusterPubSub', 'redis.monitor.Monitor',
            'redis.commands.bitfield.BitFieldOperation',
            'redis.commands.strings.StringCommands',
            'redis.commands.streams.StreamCommands',
            'redis.commands.server.ServerCommands'):
        assert expected in names
    # every mixin of redis.commands
    mixins = [name for name in names if name.startswith('redis.commands.')
              and name.endswith('Commands')]
    assert len(mixins) >= 18
    assert sum(1 for _ in _every_method()) > 500


def test_every_public_method_is_annotated():
    missing = []
    for cls_name, name, func, has_self in _every_method():
        gaps = _missing_annotations(func, has_self)
        if gaps:
            missing.append('%s.%s: %s' % (cls_name, name, ', '.join(gaps)))
    assert missing == []


def _namespace():
    # Names some modules import for annotations only (under TYPE_CHECKING,
    # to avoid an import cycle): any public name of the package.
    namespace = {}
    for module_name in _modules() + ['redis.typing']:
        module = importlib.import_module(module_name)
        for name, value in vars(module).items():
            if not name.startswith('__'):
                namespace.setdefault(name, value)
    return namespace


def test_annotations_resolve_and_suit_python_3_9():
    namespace = _namespace()
    failures = []
    for cls_name, name, func, _ in _every_method():
        where = '%s.%s' % (cls_name, name)
        for annotation in func.__annotations__.values():
            # X | Y is evaluated by get_type_hints() and fails before 3.10
            if isinstance(annotation, str) and re.search(r'\|', annotation):
                failures.append('%s: %s' % (where, annotation))
        try:
            typing.get_type_hints(
                func, globalns=dict(namespace, **func.__globals__))
        except Exception as e:
            failures.append('%s: %r' % (where, e))
    assert failures == []


def test_annotations_cost_nothing_at_run_time():
    # from __future__ import annotations: every annotation stays a string,
    # so defining the classes evaluated none of them
    for cls_name, name, func, _ in _every_method():
        for annotation in func.__annotations__.values():
            assert isinstance(annotation, str), (cls_name, name)


def test_py_typed_marker_ships():
    marker = os.path.join(os.path.dirname(redis.__file__), 'py.typed')
    assert os.path.isfile(marker)
    with open(os.path.join(ROOT, 'setup.py'), encoding='utf-8') as f:
        assert "package_data={'redis': ['py.typed']}" in f.read()


# Each line marked ``# E`` must draw a mypy error, and no other line may:
# wrong calls are caught, so the package's types are real.
REJECTED = '''\
import datetime
from typing import List

import redis
from redis.cluster import RedisCluster
from redis.sentinel import Sentinel

r = redis.StrictRedis(host='localhost', port=6379, decode_responses=True)
r.get(1.5j)  # E
r.set('key', object())  # E
r.set('key', 'value', ex='soon')  # E
r.set('key', 'value', nx='yes')  # E
r.expire('key', datetime.date.today())  # E
r.mget(['a', 'b'], 3)  # E
r.unknown_command('x')  # E
r.lock('name', timeout='long')  # E
redis.StrictRedis(port='6379')  # E
redis.StrictRedis(decode_response=True)  # E
redis.ConnectionPool(max_connections='ten')  # E
pipe_as_int: int = r.pipeline()  # E
results_as_int: int = r.pipeline().execute()  # E
r.pipeline(transaction='yes')  # E
pubsub = r.pubsub()
pubsub.get_message()['data']  # E
pubsub.subscribe(42)  # E
pubsub.run_in_thread(sleep_time='fast')  # E
thread_as_str: str = pubsub.run_in_thread(sleep_time=0.1)  # E
acquired: str = r.lock('name').acquire()  # E
script = r.register_script('return 1')
script(keys=[1], args=[1])  # E
sentinel = Sentinel([('localhost', 26379)])
sentinel.master_for(1)  # E
master_as_int: int = sentinel.master_for('mymaster')  # E
cluster = RedisCluster(host='localhost', port=7000)
cluster_pipe_as_int: int = cluster.pipeline()  # E
nodes: List[int] = cluster.get_nodes()  # E
'''


def _mypy_command(*paths):
    return [sys.executable, '-m', 'mypy', '--strict',
            '--config-file', os.path.join(ROOT, 'mypy.ini'),
            '--no-error-summary', '--show-error-codes',
            '--hide-error-context', '--no-color-output'] + list(paths)


def _have_mypy():
    return subprocess.run([sys.executable, '-m', 'mypy', '--version'],
                          capture_output=True).returncode == 0


def test_mypy_strict_accepts_the_example_and_rejects_wrong_calls(tmp_path):
    if not _have_mypy():
        # tox installs mypy (tox.ini deps): only a bare environment lacks it
        if os.environ.get('TOX_ENV_NAME') or os.environ.get('CI'):
            pytest.fail('mypy is not installed in the test environment')
        pytest.skip('mypy is not installed')
    rejected = tmp_path / 'typing_rejected.py'
    rejected.write_text(REJECTED)
    command = _mypy_command(EXAMPLE, str(rejected)) + [
        '--cache-dir', str(tmp_path / 'mypy-cache')]
    started = time.monotonic()
    # run from the checkout, so ``redis`` is the source tree, found as a
    # typed package (an untyped one would be an error under --strict)
    result = subprocess.run(command, cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    took = time.monotonic() - started
    output = result.stdout + result.stderr
    errors = {}
    for line in output.splitlines():
        match = re.match(r'(.*?):(\d+): error: (.*)', line)
        if match:
            errors.setdefault((os.path.basename(match.group(1)),
                               int(match.group(2))), []).append(line)
        elif ': note:' not in line and line.strip():
            errors.setdefault(('?', 0), []).append(line)
    in_example = [lines for (name, _), lines in errors.items()
                  if name != rejected.name]
    assert in_example == [], output
    expected = set(i + 1 for i, line in enumerate(REJECTED.splitlines())
                   if line.endswith('# E'))
    found = set(number for (name, number) in errors if name == rejected.name)
    assert found == expected, output
    # a cold run (fresh cache) of the package and the standard library's
    # stubs; a minute would mean something went wrong
    assert took < 60, took


# ---- the example, run ----------------------------------------------------


@pytest.mark.parametrize('decode', [False, True], ids=['bytes', 'decoded'])
def test_example_client(make_client, decode):
    r = make_client(decode_responses=decode)
    assert typing_example.use_client(r) == typing_example.CLIENT_RESULTS


@pytest.mark.parametrize('decode', [False, True], ids=['bytes', 'decoded'])
def test_example_pipeline(make_client, decode):
    r = make_client(decode_responses=decode)
    assert typing_example.use_pipeline(r) == typing_example.PIPELINE_RESULTS


@pytest.mark.parametrize('decode', [False, True], ids=['bytes', 'decoded'])
def test_example_pubsub(make_client, decode):
    r = make_client(decode_responses=decode)
    threads_before = threading.active_count()
    assert typing_example.use_pubsub(r) == typing_example.PUBSUB_RESULTS
    # run_in_thread's thread was stopped and joined
    assert threading.active_count() == threads_before


def test_example_lock_and_script(make_client):
    r = make_client()
    assert typing_example.use_lock(r) == typing_example.LOCK_RESULTS
    assert typing_example.use_script(r) == typing_example.SCRIPT_RESULTS


@pytest.fixture(scope='module')
def sentinel_group():
    from sentinel_cluster import SentinelCluster
    with SentinelCluster(down_after_ms=5000, failover_timeout=60000) as group:
        yield group


@pytest.mark.slow
def test_example_sentinel(sentinel_group, parser_class, monkeypatch):
    from sentinel_cluster import SERVICE, sentinel_factory
    factory = sentinel_factory(sentinel_group.sentinel_addresses,
                               parser_class, monkeypatch)
    make = next(factory)
    try:
        result = typing_example.use_sentinel(make(), SERVICE)
    finally:
        factory.close()
    assert result == typing_example.SENTINEL_RESULTS


@pytest.mark.parametrize('decode', [False, True], ids=['bytes', 'decoded'])
def test_example_cluster(make_rc, decode):
    rc = make_rc(decode_responses=decode)
    assert typing_example.use_cluster(rc) == typing_example.CLUSTER_RESULTS


def test_example_mentions_every_part():
    # what the issue asks the example to cover
    with open(EXAMPLE, encoding='utf-8') as f:
        source = f.read()
    for needle in ('decode_responses', '.pipeline(', '.watch(', '.multi()',
                   '.transaction(', '.get_message(', '.listen()',
                   '.run_in_thread(', '.lock(', '.register_script(',
                   '.master_for(', '.slave_for(', 'RedisCluster(',
                   'ClusterPipeline'):
        assert needle in source, needle
