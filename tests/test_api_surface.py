"""The public API is the one of redis-py 2.10.6: module names, signatures,
the exception hierarchy, the reply callback tables, and DataError for the
argument checks done before anything is sent.

The expected facts are literal data in api_2106.py; nothing here needs the
real redis package or a server.

Deliberate differences from 2.10.6, each only adds to what 2.10.6 accepted
(checked by ``test_extension_accepts_every_2106_call``):
- PubSub.run_in_thread / PubSubWorkerThread take an ``exception_handler``;
- the parsers' ``socket_read_size`` defaults to 65536 (Connection's value);
- parse_object's ``infotype`` defaults to None, so a raw
  ``execute_command('OBJECT', ...)`` does not crash the callback;
- StrictRedis and SSLConnection take today's redis-py's ssl_* options, and
  ``ssl_cert_reqs`` defaults to 'required' (CHANGED_DEFAULTS);
- StrictRedis and the connections take ``username``, ``client_name`` and
  ``health_check_interval``.
"""
import importlib
import inspect
import subprocess
import sys

import pytest

import redis
import redis.client
import redis.connection
import redis.exceptions
import redis.lock
import redis.sentinel
import redis.utils
from redis.exceptions import DataError, RedisError

from api_2106 import (CALLBACK_COMMANDS, EXCEPTION_BASES, FUNCTIONS,
                      MODULE_NAMES, SIGNATURES)
from api_extensions_data import DATA_EXTENSIONS
from api_extensions_admin import ADMIN_EXTENSIONS

ALL_2106 = [
    'Redis', 'StrictRedis', 'ConnectionPool', 'BlockingConnectionPool',
    'Connection', 'SSLConnection', 'UnixDomainSocketConnection', 'from_url',
    'AuthenticationError', 'BusyLoadingError', 'ConnectionError', 'DataError',
    'InvalidResponse', 'PubSubError', 'ReadOnlyError', 'RedisError',
    'ResponseError', 'TimeoutError', 'WatchError',
]

# Our signature where it deliberately extends 2.10.6's (see the docstring).
EXTENSIONS = {
    'redis.client.PubSub.run_in_thread':
        '(self, sleep_time=0, daemon=False, exception_handler=None)',
    'redis.client.PubSubWorkerThread.__init__':
        '(self, pubsub, sleep_time, daemon=False, exception_handler=None)',
    'redis.connection.HiredisParser.__init__':
        '(self, socket_read_size=65536)',
    'redis.connection.PythonParser.__init__':
        '(self, socket_read_size=65536)',
    'redis.client.parse_object': '(response, infotype=None)',
    # TLS verifies by default, and takes today's redis-py's ssl_* options
    'redis.client.StrictRedis.__init__': (
        "(self, host='localhost', port=6379, db=0, password=None, "
        'socket_timeout=None, socket_connect_timeout=None, '
        'socket_keepalive=None, socket_keepalive_options=None, '
        'connection_pool=None, unix_socket_path=None, '
        "encoding='utf-8', encoding_errors='strict', charset=None, "
        'errors=None, decode_responses=False, '
        'retry_on_timeout=False, ssl=False, ssl_keyfile=None, '
        "ssl_certfile=None, ssl_cert_reqs='required', ssl_ca_certs=None, "
        'max_connections=None, ssl_ca_path=None, ssl_ca_data=None, '
        'ssl_check_hostname=True, ssl_password=None, '
        'ssl_min_version=None, ssl_ciphers=None, username=None, '
        'client_name=None, health_check_interval=0)'),
    # ACL users, client names and health checks, as today's redis-py
    'redis.connection.Connection.__init__': (
        "(self, host='localhost', port=6379, db=0, password=None, "
        'socket_timeout=None, socket_connect_timeout=None, '
        'socket_keepalive=False, socket_keepalive_options=None, '
        "retry_on_timeout=False, encoding='utf-8', "
        "encoding_errors='strict', decode_responses=False, "
        'parser_class=DefaultParser, socket_read_size=65536, '
        'username=None, client_name=None, health_check_interval=0)'),
    'redis.connection.UnixDomainSocketConnection.__init__': (
        "(self, path='', db=0, password=None, socket_timeout=None, "
        "encoding='utf-8', encoding_errors='strict', "
        'decode_responses=False, retry_on_timeout=False, '
        'parser_class=DefaultParser, socket_read_size=65536, '
        'username=None, client_name=None, health_check_interval=0)'),
    'redis.connection.SSLConnection.__init__': (
        "(self, ssl_keyfile=None, ssl_certfile=None, ssl_cert_reqs='required', "
        'ssl_ca_certs=None, ssl_ca_path=None, ssl_ca_data=None, '
        'ssl_check_hostname=True, ssl_password=None, ssl_min_version=None, '
        'ssl_ciphers=None, **kwargs)'),
}

# Defaults deliberately changed from 2.10.6's (README, "Differences from
# 2.10.6"): TLS verifies the server unless told not to.
CHANGED_DEFAULTS = {
    ('redis.client.StrictRedis.__init__', 'ssl_cert_reqs'),
    ('redis.connection.SSLConnection.__init__', 'ssl_cert_reqs'),
}

# new trailing keyword arguments of data commands (later Redis options)
EXTENSIONS.update(DATA_EXTENSIONS)
# and of server and scripting commands
EXTENSIONS.update(ADMIN_EXTENSIONS)

# Known differences in files owned by others, reported to their owners;
# strict, so each turns into a failure (remove it here) once fixed.
PENDING_SIGNATURES = {}
PENDING_NAMES = {
}


def describe(func):
    "A signature in the notation of api_2106.py"
    parts = []
    for p in inspect.signature(func).parameters.values():
        text = p.name
        if p.kind == p.VAR_POSITIONAL:
            text = '*' + p.name
        elif p.kind == p.VAR_KEYWORD:
            text = '**' + p.name
        if p.default is not p.empty:
            if p.default is redis.connection.DefaultParser:
                default = 'DefaultParser'
            elif inspect.isclass(p.default) or inspect.isfunction(p.default):
                default = p.default.__name__
            else:
                default = repr(p.default)
            text += '=' + default
        parts.append(text)
    return '(%s)' % ', '.join(parts)


def unwrap(cls, name):
    "The plain function behind a method, classmethod or staticmethod"
    for klass in cls.__mro__:
        if name in vars(klass):
            value = vars(klass)[name]
            return getattr(value, '__func__', value)
    raise AttributeError('%s has no %s' % (cls.__name__, name))


def lookup(dotted):
    module, _, name = dotted.rpartition('.')
    return getattr(importlib.import_module(module), name)


def pending(reason):
    return pytest.mark.xfail(strict=True, reason=reason)


METHOD_CASES = []
for class_path, methods in SIGNATURES.items():
    for method, expected in methods.items():
        key = '%s.%s' % (class_path, method)
        marks = ([pending(PENDING_SIGNATURES[key])]
                 if key in PENDING_SIGNATURES else [])
        METHOD_CASES.append(pytest.param(
            class_path, method, EXTENSIONS.get(key, expected), id=key,
            marks=marks))


# ---- version and module names ----------------------------------------------

def test_version():
    assert redis.__version__ == '2.10.6'
    assert redis.VERSION == (2, 10, 6)


def test_all():
    assert redis.__all__ == ALL_2106
    for name in redis.__all__:
        assert getattr(redis, name) is not None


def _name_cases():
    for module, names in MODULE_NAMES.items():
        for name in names:
            reason = PENDING_NAMES.get((module, name))
            yield pytest.param(module, name, id='%s.%s' % (module, name),
                               marks=[pending(reason)] if reason else [])


@pytest.mark.parametrize('module, name', list(_name_cases()))
def test_module_offers_name(module, name):
    assert hasattr(importlib.import_module(module), name)


def test_client_helpers_import():
    from redis.client import (  # noqa: F401
        SENTINEL_STATE_TYPES, BasePipeline, Pipeline, PubSub,
        PubSubWorkerThread, Script, StrictPipeline, bool_ok, dict_merge,
        float_or_none, int_or_none, list_or_args, pairs_to_dict,
        pairs_to_dict_typed, parse_client_list, parse_config_get,
        parse_debug_object, parse_georadius_generic, parse_hscan,
        parse_info, parse_object, parse_pubsub_numsub, parse_scan,
        parse_sentinel_get_master, parse_sentinel_master,
        parse_sentinel_masters, parse_sentinel_slaves_and_sentinels,
        parse_sentinel_state, parse_slowlog_get, parse_zscan,
        sort_return_tuples, string_keys_to_dict, timestamp_to_datetime,
        zset_score_pairs)
    assert pairs_to_dict([b'a', b'1']) == {b'a': b'1'}
    assert zset_score_pairs([b'a', b'1'], withscores=True) == [(b'a', 1.0)]
    assert sort_return_tuples([1, 2, 3, 4], groups=2) == [(1, 2), (3, 4)]
    assert float_or_none(None) is None and bool_ok(b'OK') is True
    assert list_or_args('a', ['b']) == ['a', 'b']
    assert string_keys_to_dict('A B', int) == {'A': int, 'B': int}
    assert dict_merge({'a': 1}, {'a': 2, 'b': 3}) == {'a': 2, 'b': 3}
    assert timestamp_to_datetime(None) is None


def test_import_redis_makes_redis_lock_reachable():
    # a fresh interpreter: in this one the test module imported redis.lock
    code = 'import redis; print(redis.lock.Lock.__name__)'
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, cwd=redis.__path__[0] + '/..')
    assert out.stdout.strip() == 'Lock', out.stderr


# ---- classes and exceptions -------------------------------------------------

@pytest.mark.parametrize('path, bases', sorted(EXCEPTION_BASES.items()))
def test_exception_hierarchy(path, bases):
    exc = lookup(path)
    names = tuple(c.__name__ for c in exc.__mro__[1:]
                  if c not in (BaseException, object))
    assert names == bases


def test_exceptions_are_shared_objects():
    # every module re-exports the classes of redis.exceptions, not copies
    for module in (redis, redis.client, redis.connection, redis.sentinel,
                   redis.lock):
        for name in dir(module):
            value = getattr(module, name)
            if (inspect.isclass(value) and issubclass(value, RedisError)
                    and hasattr(redis.exceptions, name)):
                assert value is getattr(redis.exceptions, name)


def _is_subsequence(wanted, names):
    it = iter(names)
    return all(name in it for name in wanted)


@pytest.mark.parametrize('cls, wanted', [
    (redis.Redis, ['Redis', 'StrictRedis']),
    (redis.client.StrictPipeline, ['StrictPipeline', 'BasePipeline',
                                   'StrictRedis']),
    (redis.client.Pipeline, ['Pipeline', 'BasePipeline', 'Redis',
                             'StrictRedis']),
    (redis.connection.UnixDomainSocketConnection,
     ['UnixDomainSocketConnection', 'Connection']),
    (redis.connection.SSLConnection, ['SSLConnection', 'Connection']),
    (redis.connection.BlockingConnectionPool,
     ['BlockingConnectionPool', 'ConnectionPool']),
    (redis.lock.LuaLock, ['LuaLock', 'Lock']),
    (redis.sentinel.SentinelConnectionPool,
     ['SentinelConnectionPool', 'ConnectionPool']),
    (redis.sentinel.SentinelManagedConnection,
     ['SentinelManagedConnection', 'Connection']),
], ids=lambda value: getattr(value, '__name__', ''))
def test_class_hierarchy(cls, wanted):
    assert _is_subsequence(wanted, [c.__name__ for c in cls.__mro__])


def test_default_parser():
    expected = (redis.connection.HiredisParser
                if redis.connection.HIREDIS_AVAILABLE
                else redis.connection.PythonParser)
    assert redis.connection.DefaultParser is expected
    assert redis.utils.HIREDIS_AVAILABLE == redis.connection.HIREDIS_AVAILABLE


# ---- signatures ------------------------------------------------------------

@pytest.mark.parametrize('class_path, method, expected', METHOD_CASES)
def test_method_signature(class_path, method, expected):
    assert describe(unwrap(lookup(class_path), method)) == expected


@pytest.mark.parametrize('path, expected', [
    pytest.param(path, EXTENSIONS.get(path, sig), id=path)
    for path, sig in FUNCTIONS.items()])
def test_function_signature(path, expected):
    assert describe(lookup(path)) == expected


def _params(text):
    "'(a, b=1, *c)' -> [('a', None), ('b', '1'), ('*c', None)]"
    inner = text[1:-1]
    out = []
    for part in inner.split(', ') if inner else []:
        name, eq, default = part.partition('=')
        out.append((name, default if eq else None))
    return out


@pytest.mark.parametrize('key', sorted(EXTENSIONS))
def test_extension_accepts_every_2106_call(key):
    # 2.10.6's parameters come first, same names and kinds, same defaults
    # where it had one; anything after them has a default or is **kwargs
    path, _, method = key.rpartition('.')
    original = SIGNATURES.get(path, {}).get(method) or FUNCTIONS[key]
    old, new = _params(original), _params(EXTENSIONS[key])
    if old and old[-1][0].startswith('**'):
        # a trailing **kwargs stays last, after the new parameters
        assert new[-1] == old[-1]
        old, new = old[:-1], new[:-1]
    assert [name for name, _ in new[:len(old)]] == [n for n, _ in old]
    for (name, old_default), (_, new_default) in zip(old, new):
        if (key, name) in CHANGED_DEFAULTS:
            continue
        assert old_default is None or old_default == new_default, name
    for name, default in new[len(old):]:
        assert default is not None or name.startswith('**'), name


def test_sentinel_method_warns_as_in_2106():
    client = redis.StrictRedis(port=1, socket_connect_timeout=1)
    # nothing is sent: nothing listens on port 1, yet no ConnectionError
    with pytest.warns(DeprecationWarning, match='individual sentinel_'):
        assert client.sentinel('remove', 'mymaster') is None


# ---- reply callbacks ---------------------------------------------------------

def test_response_callback_commands():
    # the tables of commands 2.10.6 never had are checked by their own tests
    from redis.replies_admin import ADMIN_CALLBACKS
    from redis.replies_data import DATA_CALLBACKS
    later = set(ADMIN_CALLBACKS) | set(DATA_CALLBACKS)
    strict = dict((k, v) for k, v in redis.StrictRedis.RESPONSE_CALLBACKS
                  .items() if k not in later or k in CALLBACK_COMMANDS)
    legacy = dict((k, v) for k, v in redis.Redis.RESPONSE_CALLBACKS
                  .items() if k not in later or k in CALLBACK_COMMANDS)
    assert sorted(strict) == sorted(CALLBACK_COMMANDS)
    assert sorted(legacy) == sorted(CALLBACK_COMMANDS + ['PTTL', 'TTL'])
    changed = sorted(name for name in legacy
                     if legacy[name] is not strict.get(name))
    assert changed == ['PTTL', 'TTL']


def test_instance_callbacks_are_a_copy():
    client = redis.StrictRedis(port=1)
    client.set_response_callback('GET', int)
    assert client.response_callbacks['GET'] is int
    assert 'GET' not in redis.StrictRedis.RESPONSE_CALLBACKS


# ---- DataError for argument checks -----------------------------------------

START_NUM = '``start`` and ``num`` must both be specified'
ARGUMENT_CHECKS = [
    ('mset', ('a', 'b'), {}, 'MSET requires **kwargs or a single dict arg'),
    ('msetnx', (1,), {}, 'MSETNX requires **kwargs or a single dict arg'),
    ('bitcount', ('k', 0), {}, 'Both start and end must be specified'),
    ('bitcount', ('k', None, 1), {}, 'Both start and end must be specified'),
    ('bitpos', ('k', 2), {}, 'bit must be 0 or 1'),
    ('bitpos', ('k', 1, None, 3), {},
     'start argument is not set, when end is specified'),
    ('sort', ('k',), {'start': 1}, START_NUM),
    ('sort', ('k',), {'get': 'a', 'groups': True},
     'when using "groups" the "get" argument must be specified and '
     'contain at least two keys'),
    ('zadd', ('z', 1), {}, 'ZADD requires an equal number of values and '
                           'scores'),
    ('zrangebyscore', ('z', 1, 2), {'start': 1}, START_NUM),
    ('zrevrangebyscore', ('z', 2, 1), {'num': 1}, START_NUM),
    ('zrangebylex', ('z', '-', '+', 0), {}, START_NUM),
    ('zrevrangebylex', ('z', '+', '-', None, 1), {}, START_NUM),
    ('hmset', ('h', {}), {}, "'hmset' with 'mapping' of length 0"),
    ('geoadd', ('g', 1, 2), {},
     'GEOADD requires places with lon, lat and name values'),
    ('geodist', ('g', 'a', 'b', 'parsec'), {}, 'GEODIST invalid unit'),
    ('georadius', ('g', 1, 2, 3, 'parsec'), {}, 'GEORADIUS invalid unit'),
    ('georadius', ('g', 1, 2, 3), {'sort': 'UP'}, 'GEORADIUS invalid sort'),
    ('georadius', ('g', 1, 2, 3), {'store': 'a', 'store_dist': 'b'},
     'GEORADIUS store and store_dist cant be set together'),
    ('georadiusbymember', ('g', 'm', 3), {'unit': 'x'},
     'GEORADIUS invalid unit'),
]


@pytest.mark.parametrize('cls', [redis.StrictRedis, redis.Redis],
                         ids=['StrictRedis', 'Redis'])
@pytest.mark.parametrize('method, args, kwargs, message', ARGUMENT_CHECKS,
                         ids=['%s-%d' % (check[0], i)
                              for i, check in enumerate(ARGUMENT_CHECKS)])
def test_argument_checks_raise_data_error(cls, method, args, kwargs,
                                          message):
    # port 1: nothing listens there, and a check that fails to stop the
    # call would show up as a ConnectionError instead
    client = cls(port=1, socket_connect_timeout=1)
    with pytest.raises(RedisError) as info:
        getattr(client, method)(*args, **kwargs)
    assert type(info.value) is DataError
    assert str(info.value) == message


def test_every_class_has_a_readable_repr():
    # mixins and abstract bases excepted: what users hold are the classes
    # built from them, and those say what they are
    import pkgutil
    modules = ['redis.' + m.name for m in pkgutil.iter_modules(redis.__path__)]
    missing = []
    for name in modules:
        module = importlib.import_module(name)
        for cls_name, cls in vars(module).items():
            if not inspect.isclass(cls) or cls.__module__ != name \
                    or issubclass(cls, BaseException) \
                    or cls_name.endswith(('Commands', 'Reading')) \
                    or cls_name.startswith('Base'):
                continue
            if cls.__repr__ is object.__repr__:
                missing.append('%s.%s' % (name, cls_name))
    assert missing == []


def test_dummy_repr_lists_its_attributes():
    holder = redis.utils.dummy()
    assert repr(holder) == 'dummy()'
    holder.value = b'x'
    holder.count = 2
    assert repr(holder) == "dummy(count=2, value=b'x')"
