"""Lua scripting: EVAL/EVALSHA/SCRIPT commands and Script objects, on a
real server (and a second one), on both parsers."""
import hashlib

import pytest

from redis.exceptions import NoScriptError, ResponseError, WatchError
from redis.scripting import Script

multiply_script = """
local value = redis.call('GET', KEYS[1])
value = tonumber(value)
return value * ARGV[1]"""

hello_script = "return 'hello ' .. ARGV[1]"


@pytest.fixture(autouse=True)
def empty_script_cache(clean_db):
    "Each test starts with no cached scripts (FLUSHALL keeps them)"
    clean_db.command('SCRIPT', 'FLUSH')


# -- the seed's examples ---------------------------------------------------

def test_seed_register_and_call(r):
    lua = """
local value = redis.call('GET', KEYS[1])
value = tonumber(value)
return value * ARGV[1]"""
    multiply = r.register_script(lua)
    assert isinstance(multiply, Script)
    r.set('foo', 2)
    assert multiply(keys=['foo'], args=[5]) == 10


def test_seed_other_client_on_another_server(r, make_server, make_client):
    multiply = r.register_script(multiply_script)
    r2 = make_client(server=make_server())
    r2.set('foo', 3)
    assert multiply(keys=['foo'], args=[5], client=r2) == 15
    # it was loaded there, and the first server still works
    assert r2.script_exists(multiply.sha) == [True]
    r.set('foo', 4)
    assert multiply(keys=['foo'], args=[5]) == 20


def test_seed_pipeline(r):
    multiply = r.register_script(multiply_script)
    pipe = r.pipeline()
    pipe.set('foo', 5)
    assert multiply(keys=['foo'], args=[5], client=pipe) is pipe
    assert pipe.execute() == [True, 25]


# -- the commands ----------------------------------------------------------

def test_eval(r):
    r.set('a', 2)
    assert r.eval(multiply_script, 1, 'a', 3) == 6
    assert r.eval("return {KEYS[1], ARGV[1], 7}", 1, 'k', 'v') == \
        [b'k', b'v', 7]


def test_eval_decoded(rd):
    assert rd.eval(hello_script, 0, '\u00e9') == 'hello \u00e9'


def test_evalsha_and_script_commands(r):
    sha = r.script_load(multiply_script)
    assert sha == hashlib.sha1(multiply_script.encode()).hexdigest()
    assert isinstance(sha, str)
    assert r.script_exists(sha, '0' * 40) == [True, False]
    r.set('a', 3)
    assert r.evalsha(sha, 1, 'a', 3) == 9
    assert r.script_flush() is True
    assert r.script_exists(sha) == [False]
    with pytest.raises(NoScriptError):
        r.evalsha(sha, 1, 'a', 3)


def test_script_kill_without_a_running_script(r):
    with pytest.raises(ResponseError) as info:
        r.script_kill()
    assert 'No scripts in execution right now' in str(info.value)


def test_script_error_reply(r):
    with pytest.raises(ResponseError) as info:
        r.eval("return redis.error_reply('my error')", 0)
    assert str(info.value) == 'my error'


def test_script_commands_inside_a_pipeline(r):
    sha = hashlib.sha1(hello_script.encode()).hexdigest()
    pipe = r.pipeline()
    pipe.script_load(hello_script).script_exists(sha)
    pipe.evalsha(sha, 0, 'x').eval('return 1', 0).script_flush()
    pipe.script_exists(sha)
    assert pipe.execute() == [sha, [True], b'hello x', 1, True, [False]]


# -- Script objects ----------------------------------------------------------

def test_sha_is_computed_locally(make_client):
    client = make_client()
    script = client.register_script(multiply_script)
    assert script.sha == hashlib.sha1(multiply_script.encode()).hexdigest()
    assert script.script == multiply_script
    assert script.registered_client is client
    assert client.connection_pool._created_connections == 0
    assert repr(script) == 'Script<sha=%s>' % script.sha


def test_bytes_and_str_scripts_share_the_sha(r):
    text = "return 'caf\u00e9'"
    as_str = r.register_script(text)
    as_bytes = r.register_script(text.encode('utf-8'))
    assert as_str.sha == as_bytes.sha == r.script_load(text)
    assert as_str() == as_bytes() == 'caf\u00e9'.encode('utf-8')


def test_sha_uses_the_clients_encoding(make_client):
    client = make_client(encoding='latin-1')
    text = "return 'caf\u00e9'"
    script = client.register_script(text)
    assert script.sha == hashlib.sha1(text.encode('latin-1')).hexdigest()
    assert script() == 'caf\u00e9'.encode('latin-1')


def test_default_keys_and_args(r):
    assert r.register_script("return #KEYS + #ARGV")() == 0
    assert r.register_script("return {KEYS[1], ARGV[1]}")(
        keys=(b'\x00\xff',), args=('\u00e9',)) == [b'\x00\xff',
                                                    '\u00e9'.encode()]


def test_loads_after_script_flush(r):
    multiply = r.register_script(multiply_script)
    r.set('a', 2)
    assert r.script_exists(multiply.sha) == [False]
    assert multiply(keys=['a'], args=[3]) == 6
    assert r.script_exists(multiply.sha) == [True]
    r.script_flush()
    assert multiply(keys=['a'], args=[4]) == 8
    assert r.script_exists(multiply.sha) == [True]


def test_runs_on_another_client(r, make_client):
    multiply = r.register_script(multiply_script)
    other = make_client(decode_responses=True)
    other.set('a', 7)
    assert multiply(keys=['a'], args=[2], client=other) == 14
    assert multiply.registered_client is r


def test_script_error_is_raised_once(r):
    fail = r.register_script("return redis.error_reply('nope')")
    with pytest.raises(ResponseError) as info:
        fail()
    assert str(info.value) == 'nope'


@pytest.mark.parametrize('transaction', [True, False])
def test_pipeline_loads_scripts_after_script_flush(r, transaction):
    multiply = r.register_script(multiply_script)
    hello = r.register_script(hello_script)
    r.set('a', 2)
    assert multiply(keys=['a'], args=[2]) == 4
    r.script_flush()
    pipe = r.pipeline(transaction)
    multiply(keys=['a'], args=[3], client=pipe)
    hello(args=['you'], client=pipe)
    pipe.incr('a')
    multiply(keys=['a'], args=[10], client=pipe)
    assert pipe.scripts == {multiply, hello}
    # nothing is loaded until execute()
    assert r.script_exists(multiply.sha, hello.sha) == [False, False]
    assert pipe.execute() == [6, b'hello you', 3, 30]
    assert r.script_exists(multiply.sha, hello.sha) == [True, True]
    assert pipe.scripts == set()


def test_pipeline_with_scripts_already_loaded(r):
    hello = r.register_script(hello_script)
    r.script_load(hello_script)
    pipe = r.pipeline()
    hello(args=['a'], client=pipe)
    hello(args=['b'], client=pipe)
    assert pipe.execute() == [b'hello a', b'hello b']


def test_pipeline_on_another_server(r, make_server, make_client):
    multiply = r.register_script(multiply_script)
    r2 = make_client(server=make_server())
    pipe = r2.pipeline()
    pipe.set('foo', 6)
    multiply(keys=['foo'], args=[7], client=pipe)
    assert pipe.execute() == [True, 42]
    assert r.script_exists(multiply.sha) == [False]


def test_pipeline_script_error_is_annotated(r):
    fail = r.register_script("return redis.error_reply('nope')")
    pipe = r.pipeline()
    pipe.set('a', 1)
    fail(keys=['k'], args=[1], client=pipe)
    with pytest.raises(ResponseError) as info:
        pipe.execute()
    assert str(info.value) == (
        'Command # 2 (EVALSHA %s 1 k 1) of pipeline caused error: nope'
        % fail.sha)
    assert r.get('a') == b'1'


def test_script_in_immediate_mode_after_watch(r, make_client):
    multiply = r.register_script(multiply_script)
    other = make_client()
    r.set('a', 5)
    r.script_flush()
    with r.pipeline() as pipe:
        pipe.watch('a')
        # runs now, loading the script on NOSCRIPT
        assert multiply(keys=['a'], args=[2], client=pipe) == 10
        pipe.multi()
        multiply(keys=['a'], args=[3], client=pipe)
        pipe.set('a', 1)
        r.script_flush()
        assert pipe.execute() == [15, True]
        # a change to a watched key still aborts
        pipe.watch('a')
        other.set('a', 2)
        pipe.multi()
        multiply(keys=['a'], args=[3], client=pipe)
        with pytest.raises(WatchError):
            pipe.execute()
