"""Read-only scripts, SCRIPT FLUSH modes, SCRIPT/FUNCTION KILL and
functions (Redis 7: FUNCTION, FCALL, FCALL_RO) against real servers,
under both parsers, with bytes and with decode_responses replies.
Libraries live on servers of the tests' own: FLUSHALL keeps them."""
import threading
import time

import pytest

from redis.exceptions import DataError, ResponseError

from checks import same
from modes import client_in_mode

LIB = '''#!lua name=mylib
redis.register_function('echo', function(keys, args) return args[1] end)
redis.register_function{function_name='ro_echo',
    callback=function(keys, args) return args[1] end, flags={'no-writes'}}
redis.register_function('setget', function(keys, args)
    redis.call('SET', keys[1], args[1])
    return redis.call('GET', keys[1])
end)
'''
LIB2 = '''#!lua name=mylib
redis.register_function('echo', function(keys, args) return 'v2' end)
'''
OTHER = '''#!lua name=other
redis.register_function{function_name='spin',
    callback=function(keys, args) while true do end end,
    flags={'no-writes'}}
'''
# (a long-running command is only interrupted after this many ms)
BUSY_MS = '50'


@pytest.fixture
def own(make_server, make_client, decode):
    "A client of a server of the test's own, in the mode under test"
    server = make_server(extra_args=['--busy-reply-threshold', BUSY_MS])
    return client_in_mode(make_client, decode, server)


# ---- EVAL_RO / EVALSHA_RO / SCRIPT FLUSH ------------------------------------

def test_eval_ro_and_evalsha_ro(client):
    client.set('k', 'v')
    same(client.eval_ro("return redis.call('GET', KEYS[1])", 1, 'k'),
         client.conv(b'v'))
    same(client.eval_ro('return ARGV[1]', 0, 'a'), client.conv(b'a'))
    with pytest.raises(ResponseError, match='[Ww]rite commands are not '
                                            'allowed'):
        client.eval_ro("return redis.call('SET', KEYS[1], 'x')", 1, 'k')
    same(client.get('k'), client.conv(b'v'))
    sha = client.script_load("return redis.call('GET', KEYS[1])")
    same(client.evalsha_ro(sha, 1, 'k'), client.conv(b'v'))
    writer = client.script_load("return redis.call('DEL', KEYS[1])")
    with pytest.raises(ResponseError, match='allowed'):
        client.evalsha_ro(writer, 1, 'k')


@pytest.mark.parametrize('sync_type', [None, 'SYNC', 'ASYNC', 'async'])
def test_script_flush_modes(client, sync_type):
    sha = client.script_load('return 1')
    same(client.script_exists(sha), [True])
    same(client.script_flush(sync_type), True)
    same(client.script_exists(sha), [False])


def test_script_flush_bad_mode_sends_nothing(offline):
    with pytest.raises(DataError, match='SCRIPT FLUSH'):
        offline.script_flush('LATER')


# ---- FUNCTION LOAD / LIST / DELETE / FCALL ------------------------------------

def test_function_load_list_and_call(own):
    same(own.function_load(LIB), own.conv(b'mylib'))
    with pytest.raises(ResponseError, match='already exists'):
        own.function_load(LIB)
    same(own.fcall('echo', 0, 'hi'), own.conv(b'hi'))
    same(own.fcall('setget', 1, 'k', 'v'), own.conv(b'v'))
    same(own.fcall_ro('ro_echo', 0, 'ro'), own.conv(b'ro'))
    with pytest.raises(ResponseError, match='write flag'):
        own.fcall_ro('setget', 1, 'k', 'v')
    c = own.conv
    listed = own.function_list()
    same(len(listed), 1)
    library = listed[0]
    same(library[:4], [c(b'library_name'), c(b'mylib'), c(b'engine'),
                       c(b'LUA')])
    functions = dict((f[1], f) for f in library[5])
    same(sorted(functions), sorted([c(b'echo'), c(b'ro_echo'),
                                    c(b'setget')]))
    same(functions[c(b'ro_echo')], [c(b'name'), c(b'ro_echo'),
                                    c(b'description'), None, c(b'flags'),
                                    [c(b'no-writes')]])
    with_code = own.function_list(withcode=True)[0]
    same(with_code[6:], [c(b'library_code'), c(LIB.encode())])
    same(own.function_list(library='nomatch*'), [])
    same(len(own.function_list(library='my*')), 1)
    # REPLACE
    same(own.function_load(LIB2, replace=True), c(b'mylib'))
    same(own.fcall('echo', 0, 'hi'), c(b'v2'))
    with pytest.raises(ResponseError, match='not found|[Ff]unction'):
        own.fcall('setget', 1, 'k', 'v')
    same(own.function_delete('mylib'), True)
    same(own.function_list(), [])
    with pytest.raises(ResponseError, match='not found|[Ll]ibrary'):
        own.function_delete('mylib')


def test_function_stats_and_flush(own):
    c = own.conv
    same(own.function_stats(), [
        c(b'running_script'), None,
        c(b'engines'), [c(b'LUA'), [c(b'libraries_count'), 0,
                                    c(b'functions_count'), 0]]])
    own.function_load(LIB)
    own.function_load(OTHER)
    stats = own.function_stats()
    same(stats[3][1], [c(b'libraries_count'), 2, c(b'functions_count'), 4])
    same(own.function_flush('ASYNC'), True)
    same(own.function_list(), [])
    own.function_load(LIB)
    same(own.function_flush(), True)
    same(own.function_list(), [])


def test_function_dump_and_restore(make_server, make_client, parser_class):
    server = make_server()
    client = make_client(server=server)
    client.function_load(LIB)
    payload = client.function_dump()
    assert isinstance(payload, bytes)
    client.function_delete('mylib')
    same(client.function_restore(payload), True)
    same(client.fcall('echo', 0, 'back'), b'back')
    with pytest.raises(ResponseError, match='already exists'):
        client.function_restore(payload)
    same(client.function_restore(payload, 'REPLACE'), True)
    client.function_load(OTHER)
    same(client.function_restore(payload, policy='FLUSH'), True)
    same([lib[1] for lib in client.function_list()], [b'mylib'])
    # the payload is binary: a decoding client cannot read it (as DUMP)
    decoding = make_client(server=server, decode_responses=True)
    with pytest.raises(UnicodeDecodeError):
        decoding.function_dump()
    same(decoding.ping(), True)


@pytest.mark.parametrize('call, args', [
    ('function_flush', ('LATER',)),
    ('function_restore', (b'payload', 'MERGE')),
])
def test_function_bad_modes_send_nothing(offline, call, args):
    with pytest.raises(DataError):
        getattr(offline, call)(*args)


def test_server_without_functions_gives_its_error(make_server, make_client,
                                                   decode):
    # as a server older than 7.0 would answer
    server = make_server(extra_args=['--rename-command', 'FCALL', '',
                                     '--rename-command', 'FUNCTION', ''])
    client = make_client(server=server, decode_responses=decode)
    with pytest.raises(ResponseError, match='unknown command'):
        client.function_load(LIB)
    with pytest.raises(ResponseError, match='unknown command'):
        client.fcall('echo', 0, 'x')


# ---- killing a running script or function -----------------------------------

def _run_in_thread(call):
    "Start call() in a thread; its outcome lands in the returned dict"
    outcome = {}

    def run():
        try:
            outcome['result'] = call()
        except Exception as e:
            outcome['error'] = e
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    outcome['thread'] = thread
    return outcome


def _kill_when_busy(kill):
    """Call kill() until the server has something to kill (NOTBUSY until
    the busy script started); its reply"""
    deadline = time.monotonic() + 30
    while True:
        try:
            return kill()
        except ResponseError as e:
            if 'NOTBUSY' not in str(e) or time.monotonic() > deadline:
                raise
        time.sleep(0.01)


def test_function_kill(own, make_client):
    with pytest.raises(ResponseError, match='NOTBUSY'):
        own.function_kill()
    own.function_load(OTHER)
    spinner = make_client(server=own.server)
    outcome = _run_in_thread(lambda: spinner.fcall_ro('spin', 0))
    same(_kill_when_busy(own.function_kill), own.conv(b'OK'))
    outcome['thread'].join(30)
    assert 'killed' in str(outcome.get('error'))
    same(own.ping(), True)


def test_script_kill(own, make_client):
    spinner = make_client(server=own.server)
    outcome = _run_in_thread(
        lambda: spinner.eval('while true do end', 0))
    same(_kill_when_busy(own.script_kill), True)
    outcome['thread'].join(30)
    assert 'killed' in str(outcome.get('error'))
