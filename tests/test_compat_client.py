"""The client and pipeline layer behaves as 2.10.6's did for code that
extends or calls it: which overridable method is called from where, with
which arguments; what a pipeline does with its connection when a command
fails with a connection error (a server loading its data, a server that
refuses the connection); what StrictRedis(...) builds from its arguments.

The LOADING tests use a real redis-server kept loading its dataset for a
minute (DEBUG RELOAD with key-load-delay), not a scripted reply.
"""
import contextlib
import gc
import time
import warnings

import pytest

import redis
from redis.client import Pipeline, StrictPipeline, StrictRedis
from redis.exceptions import (
    BusyLoadingError, ConnectionError, ExecAbortError, ResponseError,
    TimeoutError, WatchError,
)
from redis.pipeline import BasePipeline

from faultcontrol import debug_sleep
from rawresp import RawReplyError, pack_command


def in_use(client):
    return len(client.connection_pool._in_use_connections)


def available(client):
    return list(client.connection_pool._available_connections)


# -- a server loading its dataset -------------------------------------------

# Each ~1 KiB key costs the load 20 ms and lets the server answer clients
# (with -LOADING) after it: 3,000 keys keep it loading for a minute, far
# longer than a test needs, with replies coming within 20 ms.
LOADING_ARGS = ['--key-load-delay', '20000',
                '--loading-process-events-interval-bytes', '1024',
                '--rdbcompression', 'no']


@pytest.fixture
def loading_server(make_server):
    server = make_server(extra_args=LOADING_ARGS)
    control = server.raw_connection()
    assert control.command('DEBUG', 'POPULATE', '3000', 'key', '1100') == 'OK'
    # DEBUG RELOAD answers when the load is over: sent, never read
    reloader = server.raw_connection()
    reloader.sock.sendall(pack_command(['DEBUG', 'RELOAD']))
    deadline = time.monotonic() + 10
    while True:
        try:
            control.command('PING')
        except RawReplyError as e:
            assert str(e).startswith('LOADING')
            break
        assert time.monotonic() < deadline, 'the server never began loading'
    server.connections_received = lambda: int(
        control.command('INFO', 'stats').decode().split(
            'total_connections_received:')[1].split()[0])
    yield server
    reloader.close()
    control.close()
    # a SIGTERM would wait for the load's next pause
    server.kill()


def assert_handed_back(client, conn):
    "2.10.6's handling: the connection was closed and went back to the pool"
    assert conn._sock is None
    assert in_use(client) == 0
    assert available(client) == [conn]


@pytest.mark.parametrize('transaction', [True, False])
@pytest.mark.parametrize('raise_on_error', [True, False])
def test_execute_on_a_loading_server(loading_server, make_client,
                                     transaction, raise_on_error):
    client = make_client(server=loading_server)
    before = loading_server.connections_received()
    pipe = client.pipeline(transaction)
    pipe.set('a', 1).get('a')
    # a connection error is raised whatever raise_on_error, as in 2.10.6
    with pytest.raises(BusyLoadingError):
        pipe.execute(raise_on_error=raise_on_error)
    assert pipe.connection is None and len(pipe) == 0
    [conn] = available(client)
    assert_handed_back(client, conn)
    # not sent again: one connection only
    assert loading_server.connections_received() - before == 1


@pytest.mark.parametrize('raise_on_error', [True, False])
def test_loading_error_inside_exec_reply(make_client, raise_on_error):
    # DEBUG ERROR queues, then EXEC's reply holds the LOADING error: as
    # 2.10.6's parsers did, it is raised whatever raise_on_error, and the
    # connection is closed and handed back
    client = make_client()
    pipe = client.pipeline()
    pipe.set('a', 1).execute_command('DEBUG', 'ERROR', 'LOADING fake')
    with pytest.raises(BusyLoadingError, match='fake'):
        pipe.execute(raise_on_error=raise_on_error)
    assert pipe.connection is None and len(pipe) == 0
    assert_handed_back(client, available(client)[0])
    # EXEC ran: the SET was applied once and not sent again
    assert client.get('a') == b'1'


def test_command_after_watch_on_a_loading_server(loading_server,
                                                 make_client):
    client = make_client(server=loading_server)
    before = loading_server.connections_received()
    pipe = client.pipeline()
    # WATCH is served while loading; the GET after it is refused
    assert pipe.watch('a') is True
    conn = pipe.connection
    with pytest.raises(BusyLoadingError):
        pipe.get('a')
    assert pipe.connection is None and not pipe.watching
    assert_handed_back(client, conn)
    # the WATCH died with the connection: nothing was sent again
    assert loading_server.connections_received() - before == 1


def test_immediate_command_on_a_loading_server(loading_server, make_client):
    client = make_client(server=loading_server)
    before = loading_server.connections_received()
    pipe = client.pipeline()
    pipe.set('queued', 1)
    with pytest.raises(BusyLoadingError):
        pipe.immediate_execute_command('GET', 'a')
    # refused, so it cannot have run: sent once more on a new connection
    # as 2.10.6 did, then the pipeline was reset
    assert loading_server.connections_received() - before == 2
    assert pipe.connection is None and len(pipe) == 0
    assert_handed_back(client, available(client)[0])


def test_client_command_on_a_loading_server(loading_server, make_client):
    client = make_client(server=loading_server)
    before = loading_server.connections_received()
    with pytest.raises(BusyLoadingError):
        client.get('a')
    assert loading_server.connections_received() - before == 2
    assert_handed_back(client, available(client)[0])


# -- a server refusing the connection ----------------------------------------

@pytest.fixture
def full_server(make_server):
    server = make_server(extra_args=['--maxclients', '1'])
    # the start-up check's connection may not be gone yet: until it is,
    # the occupant is the one refused
    deadline = time.monotonic() + 10
    while True:
        occupant = server.raw_connection()
        try:
            assert occupant.command('PING') == 'PONG'
            break
        except (RawReplyError, OSError):
            occupant.close()
            assert time.monotonic() < deadline, 'no slot came free'
    yield server
    occupant.close()


def test_watch_refused_by_a_full_server(full_server, make_client):
    client = make_client(server=full_server)
    pipe = client.pipeline()
    with pytest.raises(ConnectionError):
        pipe.watch('a')
    assert pipe.connection is None and not pipe.watching
    assert_handed_back(client, available(client)[0])


def test_client_command_refused_by_a_full_server(full_server, make_client):
    client = make_client(server=full_server)
    with pytest.raises(ConnectionError):
        client.ping()
    assert_handed_back(client, available(client)[0])


# -- timeouts ----------------------------------------------------------------

def test_immediate_timeout_keeps_the_closed_connection(make_client,
                                                       redis_server):
    client = make_client(socket_timeout=0.2)
    pipe = client.pipeline()
    with debug_sleep(redis_server.host, redis_server.port, 1.0):
        with pytest.raises(TimeoutError):
            pipe.immediate_execute_command('GET', 'a')
        # as in 2.10.6: closed, but still the pipeline's until reset()
        conn = pipe.connection
        assert conn is not None and conn._sock is None
        assert in_use(client) == 1
    pipe.reset()
    assert in_use(client) == 0 and available(client) == [conn]


def test_pipeline_retry_on_timeout_runs_again_by_choice(make_client,
                                                        redis_server):
    client = make_client(socket_timeout=0.8, retry_on_timeout=True)
    client.set('counter', 0)
    # debug_sleep returns about 0.2 s into the sleep: the first read gives
    # up about 1 s in, the second waits until about 1.8 s
    with debug_sleep(redis_server.host, redis_server.port, 1.3) as sleep:
        result = client.pipeline(False).incr('counter').execute()
        sleep.wait(5)
    # the opt-in of 2.10.6: the timed-out batch was sent again, so it ran
    # twice (the server may run the two in either order when it wakes)
    assert result in ([1], [2])
    assert client.get('counter') == b'2'
    assert in_use(client) == 0


def test_watched_pipeline_retry_on_timeout_raises_watcherror(make_client,
                                                              redis_server):
    client = make_client(socket_timeout=0.5, retry_on_timeout=True)
    with client.pipeline() as pipe:
        pipe.watch('counter')
        pipe.multi()
        pipe.incr('counter')
        with debug_sleep(redis_server.host, redis_server.port, 1.0) as sleep:
            # the WATCH died with the connection: 2.10.6's WatchError, for
            # the caller (transaction()) to run the whole thing again
            with pytest.raises(WatchError):
                pipe.execute()
            sleep.wait(5)
    assert in_use(client) == 0


# -- which overridable method is called, with what ---------------------------

class Recorder(StrictPipeline):
    "Records the calls 2.10.6 made to its overridable methods"

    def __init__(self, *args, **kwargs):
        self.calls = []
        super(Recorder, self).__init__(*args, **kwargs)

    def _record(self, name, *args, **kwargs):
        self.calls.append((name, args, kwargs))

    def pipeline_execute_command(self, *args, **options):
        self._record('pipeline_execute_command', *args, **options)
        return super(Recorder, self).pipeline_execute_command(*args,
                                                              **options)

    def immediate_execute_command(self, *args, **options):
        self._record('immediate_execute_command', *args, **options)
        return super(Recorder, self).immediate_execute_command(*args,
                                                               **options)

    def parse_response(self, connection, command_name, **options):
        self._record('parse_response', command_name, **options)
        return super(Recorder, self).parse_response(connection, command_name,
                                                    **options)

    def _execute_transaction(self, connection, commands, raise_on_error):
        self._record('_execute_transaction', len(commands), raise_on_error)
        return super(Recorder, self)._execute_transaction(
            connection, commands, raise_on_error)

    def _execute_pipeline(self, connection, commands, raise_on_error):
        self._record('_execute_pipeline', len(commands), raise_on_error)
        return super(Recorder, self)._execute_pipeline(
            connection, commands, raise_on_error)

    def annotate_exception(self, exception, number, command):
        self._record('annotate_exception', number, command)
        return super(Recorder, self).annotate_exception(exception, number,
                                                        command)

    def raise_first_error(self, commands, response):
        self._record('raise_first_error', len(commands))
        return super(Recorder, self).raise_first_error(commands, response)

    def load_scripts(self):
        self._record('load_scripts')
        return super(Recorder, self).load_scripts()

    def named(self, *names):
        return [c for c in self.calls if c[0] in names]


def recorder(client, transaction=True):
    return Recorder(client.connection_pool, client.response_callbacks,
                    transaction, None)


def test_transaction_calls(r):
    pipe = recorder(r)
    pipe.set('a', 1).zrange('z', 0, -1, withscores=True)
    assert pipe.execute() == [True, []]
    assert pipe.named('pipeline_execute_command') == [
        ('pipeline_execute_command', ('SET', 'a', 1), {}),
        ('pipeline_execute_command', ('ZRANGE', 'z', 0, -1, 'WITHSCORES'),
         {'withscores': True, 'score_cast_func': float}),
    ]
    # MULTI, each queued command and EXEC are parsed under the name '_';
    # the callbacks run on EXEC's results afterwards
    assert pipe.named('_execute_transaction', 'parse_response',
                      'raise_first_error') == [
        ('_execute_transaction', (2, True), {}),
        ('parse_response', ('_',), {}),
        ('parse_response', ('_',), {}),
        ('parse_response', ('_',), {}),
        ('parse_response', ('_',), {}),
        ('raise_first_error', (2,), {}),
    ]


def test_pipeline_calls(r):
    r.set('s', 'text')
    pipe = recorder(r, transaction=False)
    pipe.set('a', 1).lpush('s', 'x')
    result = pipe.execute(raise_on_error=False)
    assert result[0] is True and isinstance(result[1], ResponseError)
    # each reply is parsed under its own command's name and options
    assert pipe.named('_execute_pipeline', 'parse_response',
                      'raise_first_error', 'annotate_exception') == [
        ('_execute_pipeline', (2, False), {}),
        ('parse_response', ('SET',), {}),
        ('parse_response', ('LPUSH',), {}),
    ]


def test_every_queuing_error_is_annotated_as_read(r):
    pipe = recorder(r)
    pipe.set('a', 1).zrem('b').set('b', 2).execute_command('NO-SUCH', 'x')
    with pytest.raises(ResponseError) as info:
        pipe.execute()
    assert isinstance(info.value.__context__, ExecAbortError)
    assert str(info.value).startswith('Command # 2 (ZREM b) of pipeline')
    assert pipe.named('annotate_exception') == [
        ('annotate_exception', (2, ('ZREM', 'b')), {}),
        ('annotate_exception', (4, ('NO-SUCH', 'x')), {}),
    ]
    assert r.get('a') is None


def test_watch_mode_calls(r):
    r.set('a', 5)
    pipe = recorder(r)
    pipe.watch('a')
    assert pipe.get('a') == b'5'
    pipe.multi()
    pipe.set('a', 6)
    assert pipe.execute() == [True]
    assert pipe.named('immediate_execute_command',
                      'pipeline_execute_command') == [
        ('immediate_execute_command', ('WATCH', 'a'), {}),
        ('immediate_execute_command', ('GET', 'a'), {}),
        ('pipeline_execute_command', ('SET', 'a', 6), {}),
    ]


def test_scripts_are_loaded_through_immediate_commands(r):
    r.script_flush()
    script = r.register_script('return ARGV[1]')
    pipe = recorder(r)
    script(args=['x'], client=pipe)
    assert pipe.execute() == [b'x']
    assert pipe.named('load_scripts', 'immediate_execute_command') == [
        ('load_scripts', (), {}),
        ('immediate_execute_command', ('SCRIPT EXISTS', script.sha), {}),
        ('immediate_execute_command', ('SCRIPT LOAD', 'return ARGV[1]'), {}),
    ]


def test_a_patched_class_method_is_called(r, monkeypatch):
    seen = []
    original = BasePipeline.pipeline_execute_command

    def spy(self, *args, **options):
        seen.append(args)
        return original(self, *args, **options)

    monkeypatch.setattr(BasePipeline, 'pipeline_execute_command', spy)
    assert r.pipeline().set('a', 1).get('a').execute() == [True, b'1']
    assert seen == [('SET', 'a', 1), ('GET', 'a')]


def test_pipeline_replies_skip_a_client_parse_response_in_between(r):
    # 2.10.6's BasePipeline.parse_response called StrictRedis' by name
    seen = []

    class Client(StrictRedis):
        def parse_response(self, connection, command_name, **options):
            seen.append(command_name)
            return super(Client, self).parse_response(
                connection, command_name, **options)

    class ClientPipeline(BasePipeline, Client):
        pass

    for transaction in (True, False):
        pipe = ClientPipeline(r.connection_pool, r.response_callbacks,
                              transaction, None)
        assert pipe.set('a', 1).get('a').execute() == [True, b'1']
    assert seen == []
    assert Client(connection_pool=r.connection_pool).get('a') == b'1'
    assert seen == ['GET']


def test_dropped_pipeline_calls_an_overridden_reset(r):
    resets = []

    class Counting(StrictPipeline):
        def reset(self):
            resets.append(self.connection is not None)
            super(Counting, self).reset()

    pipe = Counting(r.connection_pool, r.response_callbacks, True, None)
    assert resets == [False]
    del pipe
    gc.collect()
    assert resets == [False, False]


def test_execute_command_options_reach_parse_response(r):
    seen = []

    class Client(StrictRedis):
        def parse_response(self, connection, command_name, **options):
            seen.append((command_name, options))
            return super(Client, self).parse_response(
                connection, command_name, **options)

    client = Client(connection_pool=r.connection_pool)
    client.zadd('z', 1.5, 'm')
    assert client.zrange('z', 0, -1, withscores=True,
                         score_cast_func=bytes) == [(b'm', b'1.5')]
    assert seen == [('ZADD', {}), ('ZRANGE', {
        'withscores': True, 'score_cast_func': bytes})]


# -- Redis / StrictRedis construction ----------------------------------------

DEFAULT_KWARGS = {
    'db': 0, 'password': None, 'socket_timeout': None, 'encoding': 'utf-8',
    'encoding_errors': 'strict', 'decode_responses': False,
    'retry_on_timeout': False, 'host': 'localhost', 'port': 6379,
    'socket_connect_timeout': None, 'socket_keepalive': None,
    'socket_keepalive_options': None,
}
UNIX_KWARGS = {
    'db': 0, 'password': None, 'socket_timeout': None, 'encoding': 'utf-8',
    'encoding_errors': 'strict', 'decode_responses': False,
    'retry_on_timeout': False, 'path': '/tmp/x.sock',
}
SSL_OPTIONS = {'ssl_keyfile': 'k', 'ssl_certfile': 'c',
               'ssl_cert_reqs': 'none', 'ssl_ca_certs': 'ca'}
# the ssl_* options beyond 2.10.6's, at their defaults
SSL_DEFAULTS = {'ssl_ca_path': None, 'ssl_ca_data': None,
                'ssl_check_hostname': True, 'ssl_password': None,
                'ssl_min_version': None, 'ssl_ciphers': None}


def built(**kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        client = redis.Redis(**kwargs)
    pool = client.connection_pool
    return (pool.connection_class.__name__, pool.max_connections,
            pool.connection_kwargs,
            [(w.category, str(w.message)) for w in caught])


def test_constructor_defaults():
    assert built() == ('Connection', 2 ** 31, DEFAULT_KWARGS, [])


def test_constructor_tcp_options():
    options = {
        'host': 'h', 'port': 7, 'db': 3, 'password': 'pw',
        'socket_timeout': 1.5, 'socket_connect_timeout': 2,
        'socket_keepalive': True, 'socket_keepalive_options': {1: 2},
        'encoding': 'latin-1', 'encoding_errors': 'replace',
        'decode_responses': True, 'retry_on_timeout': True}
    assert built(max_connections=9, **options) == (
        'Connection', 9, options, [])
    # ssl options count only with ssl=True
    assert built(ssl_keyfile='k') == ('Connection', 2 ** 31,
                                      DEFAULT_KWARGS, [])


def test_constructor_ssl():
    expected = dict(DEFAULT_KWARGS, **SSL_OPTIONS)
    expected.update(SSL_DEFAULTS)
    assert built(ssl=True, **SSL_OPTIONS) == (
        'SSLConnection', 2 ** 31, expected, [])
    # verification is on unless asked otherwise
    assert built(ssl=True)[2]['ssl_cert_reqs'] == 'required'


def test_constructor_unix_socket_drops_tcp_and_ssl_options():
    assert built(unix_socket_path='/tmp/x.sock', host='h', port=1,
                 socket_connect_timeout=2, socket_keepalive=True,
                 ssl=True, **SSL_OPTIONS) == (
        'UnixDomainSocketConnection', 2 ** 31, UNIX_KWARGS, [])


def test_constructor_charset_and_errors_are_deprecated_and_win():
    name, _, kwargs, caught = built(charset='latin-1', errors='ignore',
                                    encoding='ascii',
                                    encoding_errors='strict')
    assert (kwargs['encoding'], kwargs['encoding_errors']) == (
        'latin-1', 'ignore')
    assert caught == [
        (DeprecationWarning, '"charset" is deprecated. Use "encoding" '
                             'instead'),
        (DeprecationWarning, '"errors" is deprecated. Use '
                             '"encoding_errors" instead'),
    ]


def test_constructor_with_a_pool_ignores_the_rest():
    pool = redis.ConnectionPool(port=5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        client = redis.StrictRedis(connection_pool=pool, host='elsewhere',
                                   charset='x', errors='y')
    assert client.connection_pool is pool and caught == []
    assert pool.connection_kwargs == {'port': 5}
    assert client.response_callbacks == StrictRedis.RESPONSE_CALLBACKS
    assert client.response_callbacks is not StrictRedis.RESPONSE_CALLBACKS


# -- the legacy Redis class --------------------------------------------------

def test_legacy_zadd_sends_the_pairs_reversed(rl):
    pipe = rl.pipeline()
    assert isinstance(pipe, Pipeline)
    pipe.zadd('z', 'a', 1, 'b', 2, c=3)
    assert pipe.command_stack == [(('ZADD', 'z', 2, 'b', 1, 'a', 3, 'c'),
                                   {})]
    pipe.reset()
    # so of a member given twice, the first score wins, as in 2.10.6
    assert rl.zadd('z', 'm', 1, 'm', 2) == 1
    assert rl.zscore('z', 'm') == 1.0


def test_lock_class_choice_is_remembered(r):
    assert r._use_lua_lock is None
    lock = r.lock('name', timeout=5, sleep=0.5, blocking_timeout=1,
                  thread_local=False)
    assert type(lock) is redis.lock.LuaLock and r._use_lua_lock is True
    assert (lock.timeout, lock.sleep, lock.blocking_timeout,
            lock.thread_local) == (5, 0.5, 1, False)
    assert type(r.lock('name', lock_class=redis.lock.Lock)) is \
        redis.lock.Lock


@contextlib.contextmanager
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        yield


def test_repr_names_the_class_and_pool(r):
    with no_warnings():
        assert repr(r) == 'StrictRedis<%r>' % (r.connection_pool,)
        assert repr(r.pipeline()) == 'StrictPipeline<%r>' % (
            r.connection_pool,)


# -- every module-level name of 2.10.6's redis.client ------------------------

# standard library modules and the _compat helpers it imported included
CLIENT_NAMES_2106 = (
    'BasePipeline ConnectionError ConnectionPool DataError ExecAbortError '
    'Lock LuaLock NoScriptError Pipeline PubSub PubSubError '
    'PubSubWorkerThread Redis RedisError ResponseError SENTINEL_STATE_TYPES '
    'SSLConnection SYM_EMPTY Script StrictPipeline StrictRedis TimeoutError '
    'Token UnixDomainSocketConnection WatchError _parse_node_line b '
    'basestring bool_ok bytes chain datetime dict_merge float_or_none '
    'hashlib imap int_or_none iteritems iterkeys itervalues izip '
    'list_or_args long mod_time nativestr pairs_to_dict pairs_to_dict_typed '
    'parse_client_list parse_cluster_info parse_cluster_nodes '
    'parse_config_get parse_debug_object parse_georadius_generic '
    'parse_hscan parse_info parse_object parse_pubsub_numsub parse_scan '
    'parse_sentinel_get_master parse_sentinel_master parse_sentinel_masters '
    'parse_sentinel_slaves_and_sentinels parse_sentinel_state '
    'parse_slowlog_get parse_zscan safe_unicode sort_return_tuples '
    'string_keys_to_dict sys threading time timestamp_to_datetime unicode '
    'warnings with_statement zset_score_pairs').split()


def test_client_module_names():
    import hashlib
    import itertools
    import sys
    import threading
    import time
    import redis._compat
    import redis.client as client
    missing = [name for name in CLIENT_NAMES_2106 if not hasattr(client, name)]
    assert missing == []
    assert (client.hashlib, client.sys, client.threading, client.time,
            client.mod_time, client.chain) == (
        hashlib, sys, threading, time, time, itertools.chain)
    for name in ('b', 'basestring', 'bytes', 'imap', 'iteritems', 'iterkeys',
                 'itervalues', 'izip', 'long', 'safe_unicode', 'unicode'):
        assert getattr(client, name) is getattr(redis._compat, name)
    assert list(client.iteritems({'a': 1})) == [('a', 1)]
    assert client.SYM_EMPTY == b''
