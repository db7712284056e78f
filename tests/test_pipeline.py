"""Pipelines and transactions against a real server, on both parsers."""
import gc
import threading

import pytest

import redis
from redis.client import Pipeline, StrictPipeline
from redis.exceptions import (
    AuthenticationError, ExecAbortError, ReadOnlyError, RedisError,
    ResponseError, WatchError,
)
from redis.pipeline import BasePipeline

WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value'


def in_use(client):
    return len(client.connection_pool._in_use_connections)


def available(client):
    return len(client.connection_pool._available_connections)


# -- the seed's examples ------------------------------------------------

def test_seed_buffered_commands(rl):
    rl.set('bing', 'baz')
    pipe = rl.pipeline()
    pipe.set('foo', 'bar')
    pipe.get('bing')
    assert pipe.execute() == [True, b'baz']


def test_seed_chaining(rl):
    rl.set('auto_number', 5)
    pipe = rl.pipeline()
    assert pipe.set('foo', 'bar').sadd('faz', 'baz').incr(
        'auto_number').execute() == [True, True, 6]
    assert rl.get('foo') == b'bar'
    assert rl.smembers('faz') == {b'baz'}


def test_seed_no_transaction(rl):
    pipe = rl.pipeline(transaction=False)
    assert pipe.transaction is False
    assert pipe.set('a', 1).incr('a').get('a').execute() == [True, 2, b'2']


def test_seed_watch_loop(rl):
    rl.set('OUR-SEQUENCE-KEY', 41)
    with rl.pipeline() as pipe:
        while 1:
            try:
                pipe.watch('OUR-SEQUENCE-KEY')
                current_value = pipe.get('OUR-SEQUENCE-KEY')
                next_value = int(current_value) + 1
                pipe.multi()
                pipe.set('OUR-SEQUENCE-KEY', next_value)
                assert pipe.execute() == [True]
                break
            except WatchError:
                continue
    assert rl.get('OUR-SEQUENCE-KEY') == b'42'
    assert in_use(rl) == 0


def test_seed_manual_reset(rl):
    rl.set('OUR-SEQUENCE-KEY', 1)
    pipe = rl.pipeline()
    while 1:
        try:
            pipe.watch('OUR-SEQUENCE-KEY')
            value = int(pipe.get('OUR-SEQUENCE-KEY'))
            pipe.multi()
            pipe.set('OUR-SEQUENCE-KEY', value * 10)
            pipe.execute()
            break
        except WatchError:
            continue
        finally:
            pipe.reset()
    assert rl.get('OUR-SEQUENCE-KEY') == b'10'
    assert in_use(rl) == 0


def test_seed_transaction_helper(rl):
    rl.set('OUR-SEQUENCE-KEY', 7)

    def client_side_incr(pipe):
        current_value = pipe.get('OUR-SEQUENCE-KEY')
        next_value = int(current_value) + 1
        pipe.multi()
        pipe.set('OUR-SEQUENCE-KEY', next_value)

    assert rl.transaction(client_side_incr, 'OUR-SEQUENCE-KEY') == [True]
    assert rl.get('OUR-SEQUENCE-KEY') == b'8'


# -- buffering, chaining, results ----------------------------------------

def test_classes(r, rl):
    pipe = r.pipeline()
    assert type(pipe) is StrictPipeline
    assert isinstance(pipe, BasePipeline)
    assert isinstance(pipe, redis.StrictRedis)
    assert type(rl.pipeline()) is Pipeline
    assert isinstance(rl.pipeline(), redis.Redis)
    assert repr(pipe) == 'StrictPipeline<%r>' % (r.connection_pool,)
    assert pipe.UNWATCH_COMMANDS == {'DISCARD', 'EXEC', 'UNWATCH'}


def test_commands_buffer_and_chain(r):
    pipe = r.pipeline()
    assert len(pipe) == 0
    assert pipe.set('a', 1) is pipe
    assert pipe.incr('a').get('a') is pipe
    assert len(pipe) == 3
    assert pipe.command_stack[0] == (('SET', 'a', 1), {})
    # nothing reached the server yet
    assert r.get('a') is None
    assert pipe.execute() == [True, 2, b'2']
    assert len(pipe) == 0
    assert r.get('a') == b'2'


@pytest.mark.parametrize('transaction', [True, False])
def test_results_go_through_callbacks(r, transaction):
    r.hset('h', 'f', 'v')
    r.zadd('z', 1.5, 'one', 2, 'two')
    pipe = r.pipeline(transaction=transaction)
    (pipe.hgetall('h').smembers('s').sadd('s', 'm').smembers('s')
     .zrange('z', 0, -1, withscores=True).incrbyfloat('f', 1.25)
     .exists('h').expire('h', 100).lastsave().config_get('maxmemory*')
     .ping().get('missing'))
    results = pipe.execute()
    assert results[:9] == [
        {b'f': b'v'}, set(), 1, {b'm'},
        [(b'one', 1.5), (b'two', 2.0)], 1.25, True, True, results[8]]
    assert type(results[8]).__name__ == 'datetime'
    assert isinstance(results[9], dict) and 'maxmemory' in results[9]
    assert results[10:] == [True, None]


@pytest.mark.parametrize('transaction', [True, False])
def test_results_use_the_clients_own_callbacks(r, transaction):
    r.set_response_callback('GET', lambda v: ('got', v))
    r.set('k', 'v')
    assert r.pipeline(transaction).get('k').execute() == [('got', b'v')]
    # a callback set on one client does not leak into another
    assert redis.StrictRedis.RESPONSE_CALLBACKS.get('GET') is None


def test_decode_responses(rd):
    pipe = rd.pipeline()
    pipe.set('k', 'v\u00e9').get('k').hgetall('nothing').lrange('k2', 0, -1)
    assert pipe.execute() == [True, 'v\u00e9', {}, []]


@pytest.mark.parametrize('transaction', [True, False])
def test_binary_and_unicode_args(r, transaction):
    every_byte = bytes(range(256))
    unicode_value = 'z\u00e9\u4e2d\U0001f600'
    pipe = r.pipeline(transaction)
    pipe.set(every_byte, every_byte).set('\u00fc', unicode_value)
    pipe.get(every_byte).get('\u00fc').rpush(b'\x00l', b'\r\n', b'')
    pipe.lrange(b'\x00l', 0, -1)
    assert pipe.execute() == [True, True, every_byte,
                              unicode_value.encode('utf-8'), 2,
                              [b'\r\n', b'']]


@pytest.mark.parametrize('transaction', [True, False])
def test_ten_thousand_commands(r, transaction):
    pipe = r.pipeline(transaction)
    for i in range(10000):
        pipe.set('key:%d' % i, i)
        pipe.incr('counter')
    assert len(pipe) == 20000
    results = pipe.execute()
    assert results[0::2] == [True] * 10000
    assert results[1::2] == list(range(1, 10001))
    assert r.get('key:9999') == b'9999'
    assert r.dbsize() == 10001


def test_large_values(r):
    big = b'x' * (3 * 1024 * 1024 + 7)
    assert r.pipeline().set('big', big).get('big').strlen(
        'big').execute() == [True, big, len(big)]


def test_empty_pipeline_does_not_touch_the_server(make_client):
    client = make_client()
    assert client.pipeline().execute() == []
    assert client.pipeline(transaction=False).execute() == []
    assert client.connection_pool._created_connections == 0


def test_execute_resets(r):
    pipe = r.pipeline()
    pipe.set('a', 1)
    pipe.execute()
    assert len(pipe) == 0
    assert pipe.connection is None
    assert in_use(r) == 0 and available(r) == 1
    # the same pipeline can be used again
    assert pipe.get('a').execute() == [b'1']


# -- errors --------------------------------------------------------------

@pytest.mark.parametrize('transaction', [True, False])
def test_error_raised_with_annotated_message(r, transaction):
    r.set('c', 'a')
    pipe = r.pipeline(transaction)
    pipe.set('a', 1).set('b', 2).lpush('c', 3).set('d', 4)
    with pytest.raises(ResponseError) as info:
        pipe.execute()
    assert type(info.value) is ResponseError
    assert str(info.value) == (
        'Command # 3 (LPUSH c 3) of pipeline caused error: ' + WRONGTYPE)
    # the other commands ran, and every reply was read
    assert r.get('d') == b'4'
    assert pipe.set('z', 'zzz').execute() == [True]
    assert in_use(r) == 0 and available(r) == 1


@pytest.mark.parametrize('transaction', [True, False])
def test_errors_returned_in_place(r, transaction):
    r.set('c', 'a')
    pipe = r.pipeline(transaction)
    pipe.set('a', 1).lpush('c', 3).incr('a').hset('c', 'f', 'v')
    result = pipe.execute(raise_on_error=False)
    assert result[0] is True
    assert isinstance(result[1], ResponseError)
    assert str(result[1]) == WRONGTYPE
    assert result[2] == 2
    assert isinstance(result[3], ResponseError)
    assert r.get('a') == b'2'


def test_error_message_with_binary_and_unicode_args(r):
    r.set(b'\xff\x00k', 'a')
    pipe = r.pipeline()
    pipe.ping().lpush(b'\xff\x00k', '\u00e9', 2.5)
    with pytest.raises(ResponseError) as info:
        pipe.execute()
    assert str(info.value) == (
        'Command # 2 (LPUSH \ufffd\x00k \u00e9 2.5) of pipeline caused '
        'error: ' + WRONGTYPE)


def test_queuing_error_aborts_the_transaction(r):
    pipe = r.pipeline()
    # ZREM without members is refused while queuing: nothing may run
    pipe.set('a', 1).zrem('b').set('b', 2)
    # 2.10.6 raises the refused command's own error, not the EXECABORT
    with pytest.raises(ResponseError) as info:
        pipe.execute()
    assert type(info.value) is ResponseError
    assert isinstance(info.value.__context__, ExecAbortError)
    assert str(info.value) == (
        "Command # 2 (ZREM b) of pipeline caused error: wrong number of "
        "arguments for 'zrem' command")
    assert r.get('a') is None and r.get('b') is None
    # the connection was left in step and went back to the pool
    assert in_use(r) == 0 and available(r) == 1
    conn = r.connection_pool._available_connections[0]
    assert conn._sock is not None
    assert pipe.set('z', 'zzz').execute() == [True]
    assert r.get('z') == b'zzz'
    assert r.connection_pool._available_connections == [conn]


def test_queuing_error_aborts_even_without_raise_on_error(r):
    pipe = r.pipeline()
    pipe.set('a', 1).execute_command('NO-SUCH-COMMAND', 'x')
    with pytest.raises(ResponseError) as info:
        pipe.execute(raise_on_error=False)
    assert type(info.value) is ResponseError
    assert str(info.value).startswith(
        'Command # 2 (NO-SUCH-COMMAND x) of pipeline caused error: ')
    assert r.get('a') is None


def test_queuing_error_keeps_its_class(make_client, redis_replica):
    # a replica refuses writes while queuing: the ReadOnlyError itself comes
    # out (as in 2.10.6), so code that handles a demoted master still sees it
    replica = make_client(server=redis_replica)
    pipe = replica.pipeline()
    pipe.get('a').set('a', 1)
    with pytest.raises(ReadOnlyError) as info:
        pipe.execute()
    assert str(info.value).startswith(
        'Command # 2 (SET a 1) of pipeline caused error: ')
    assert replica.get('a') is None
    # every reply was read: the connection went back in step
    assert replica.connection_pool._available_connections[0]._sock is not None
    assert replica.pipeline().get('a').execute() == [None]


def test_queuing_error_without_transaction_is_in_place(r):
    pipe = r.pipeline(transaction=False)
    pipe.set('a', 1).zrem('b').set('b', 2)
    result = pipe.execute(raise_on_error=False)
    assert result[0] is True and result[2] is True
    assert str(result[1]) == "wrong number of arguments for 'zrem' command"
    assert r.get('b') == b'2'


@pytest.mark.parametrize('transaction', [True, False])
def test_error_replies_that_are_not_responseerrors(make_client,
                                                   redis_password_server,
                                                   transaction):
    # NOAUTH maps to AuthenticationError: still an error reply, read in turn
    client = make_client(server=redis_password_server, password=None)
    pipe = client.pipeline(transaction)
    pipe.set('a', 1).get('a')
    with pytest.raises(AuthenticationError) as info:
        pipe.execute()
    # (also a ResponseError, as 2.10.6 raised for it)
    assert isinstance(info.value, ResponseError)
    if transaction:
        assert str(info.value) == 'NOAUTH Authentication required.'
    else:
        assert str(info.value) == ('Command # 1 (SET a 1) of pipeline '
                                   'caused error: NOAUTH Authentication '
                                   'required.')
        result = pipe.set('a', 1).get('a').execute(raise_on_error=False)
        assert [isinstance(e, AuthenticationError) for e in result] == [
            True, True]
    # every reply was read: the connection stayed up and in step
    assert in_use(client) == 0 and available(client) == 1
    conn = client.connection_pool._available_connections[0]
    assert conn._sock is not None and not conn.can_read()
    pipe = client.pipeline(transaction=False)
    assert pipe.execute_command('AUTH', 'sekrit').ping().execute() == [
        True, True]


def test_bad_input_raises_before_anything_is_queued(r):
    pipe = r.pipeline()
    with pytest.raises(RedisError):
        pipe.zadd('z', 1)
    assert len(pipe) == 0


# -- WATCH, MULTI and immediate mode -------------------------------------

def test_immediate_mode_after_watch(r):
    r.set('a', 1)
    r.hset('h', 'f', 'v')
    with r.pipeline() as pipe:
        assert pipe.watch('a', 'h') is True
        assert pipe.watching
        # commands run now and return their (converted) values
        assert pipe.get('a') == b'1'
        assert pipe.hgetall('h') == {b'f': b'v'}
        assert pipe.exists('a') is True
        assert len(pipe) == 0
        assert in_use(r) == 1
        pipe.multi()
        assert pipe.set('a', 2) is pipe
        assert pipe.incr('a') is pipe
        assert r.get('a') == b'1'
        assert pipe.execute() == [True, 3]
    assert r.get('a') == b'3'
    assert in_use(r) == 0


def test_watch_race_with_a_second_client(r, make_client):
    other = make_client()
    r.set('a', 1)
    with r.pipeline() as pipe:
        pipe.watch('a')
        value = int(pipe.get('a'))
        other.set('a', 100)
        pipe.multi()
        pipe.set('a', value + 1)
        with pytest.raises(WatchError) as info:
            pipe.execute()
        assert str(info.value) == 'Watched variable changed.'
    assert r.get('a') == b'100'
    assert in_use(r) == 0


def test_watch_without_a_change_succeeds(r, make_client):
    other = make_client()
    r.set('a', 1)
    with r.pipeline() as pipe:
        pipe.watch('a')
        other.set('b', 5)
        pipe.multi()
        pipe.incr('a')
        assert pipe.execute() == [2]


def test_unwatch(r, make_client):
    other = make_client()
    r.set('a', 1)
    with r.pipeline() as pipe:
        assert pipe.unwatch() is True
        pipe.watch('a')
        assert pipe.unwatch() is True
        assert not pipe.watching
        other.set('a', 2)
        # no longer watching: the change does not abort the transaction
        assert pipe.incr('a') is pipe
        assert pipe.execute() == [3]


def test_transaction_retries_until_it_wins(r, make_client):
    other = make_client()
    r.set('k', 0)
    calls = []

    def incr_k(pipe):
        calls.append(1)
        value = int(pipe.get('k'))
        if len(calls) < 3:
            # a real change from another connection, between WATCH and EXEC
            other.incr('k', 10)
        pipe.multi()
        pipe.set('k', value + 1)

    assert r.transaction(incr_k, 'k') == [True]
    assert len(calls) == 3
    assert r.get('k') == b'21'
    assert in_use(r) == 0


def test_transaction_value_from_callable_and_watch_delay(r, make_client):
    other = make_client()
    r.set('k', 1)
    calls = []

    def double(pipe):
        calls.append(1)
        value = int(pipe.get('k'))
        if len(calls) == 1:
            other.incr('k')
        pipe.multi()
        pipe.set('k', value * 2)
        return value * 2

    assert r.transaction(double, 'k', value_from_callable=True,
                         watch_delay=0.001) == 4
    assert r.get('k') == b'4'


def test_concurrent_transactions_lose_no_update(make_client):
    clients = [make_client() for _ in range(4)]
    clients[0].set('n', 0)

    def incr(pipe):
        value = int(pipe.get('n'))
        pipe.multi()
        pipe.set('n', value + 1)

    def worker(client):
        for _ in range(40):
            client.transaction(incr, 'n')

    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert clients[0].get('n') == b'160'


def test_multi_errors(r):
    pipe = r.pipeline()
    pipe.multi()
    with pytest.raises(RedisError) as info:
        pipe.multi()
    assert str(info.value) == 'Cannot issue nested calls to MULTI'
    with pytest.raises(RedisError) as info:
        pipe.watch('a')
    assert str(info.value) == 'Cannot issue a WATCH after a MULTI'
    pipe.reset()
    pipe.set('a', 1)
    with pytest.raises(RedisError) as info:
        pipe.multi()
    assert str(info.value) == ('Commands without an initial WATCH have '
                               'already been issued')


def test_multi_on_a_non_transactional_pipeline(r):
    pipe = r.pipeline(transaction=False)
    pipe.watch('a')
    pipe.multi()
    pipe.set('a', 1).get('a')
    assert pipe.execute() == [True, b'1']


def test_empty_transaction_after_watch_releases(r):
    pipe = r.pipeline()
    pipe.watch('a')
    pipe.multi()
    assert pipe.execute() == []
    assert not pipe.watching and pipe.connection is None
    assert in_use(r) == 0


# -- reset, context manager, garbage collection --------------------------

def test_reset_sends_unwatch(r, make_client):
    other = make_client()
    pipe = r.pipeline()
    pipe.watch('a')
    conn = pipe.connection
    pipe.reset()
    assert pipe.connection is None and not pipe.watching
    assert r.connection_pool._available_connections == [conn]
    other.set('a', 1)
    # the pooled connection is no longer watching 'a': a transaction on it
    # goes through
    pipe.set('b', 2)
    assert pipe.execute() == [True]
    assert r.connection_pool._available_connections == [conn]


def test_context_manager_returns_the_connection(r):
    with r.pipeline() as pipe:
        pipe.watch('a')
        assert in_use(r) == 1 and available(r) == 0
        pipe.set('x', 1)
    assert in_use(r) == 0 and available(r) == 1
    assert pipe.watching is False and len(pipe) == 0


def test_context_manager_resets_on_error(r):
    with pytest.raises(ZeroDivisionError):
        with r.pipeline() as pipe:
            pipe.watch('a')
            pipe.multi()
            pipe.set('a', 1)
            1 / 0
    assert in_use(r) == 0 and len(pipe) == 0
    assert r.get('a') is None


def test_garbage_collected_pipeline_returns_its_connection(r):
    pipe = r.pipeline()
    pipe.watch('a')
    assert in_use(r) == 1
    del pipe
    gc.collect()
    assert in_use(r) == 0 and available(r) == 1


# -- connection failures -------------------------------------------------

# -- the legacy Pipeline ---------------------------------------------------

def test_legacy_pipeline_argument_orders(rl, r):
    pipe = rl.pipeline()
    assert isinstance(pipe, Pipeline)
    pipe.zadd('z', 'a', 1, 'b', 2.5, c=3)
    pipe.rpush('l', 'x', 'y', 'x', 'x')
    pipe.lrem('l', 'x', 2)
    pipe.setex('s', 'value', 100)
    pipe.zrange('z', 0, -1, withscores=True)
    results = pipe.execute()
    assert results == [3, 4, 2, True,
                       [(b'a', 1.0), (b'b', 2.5), (b'c', 3.0)]]
    assert r.lrange('l', 0, -1) == [b'y', b'x']
    assert r.get('s') == b'value'
    assert 0 < r.ttl('s') <= 100


def test_strict_pipeline_argument_orders(r):
    pipe = r.pipeline()
    pipe.zadd('z', 1, 'a', 2.5, 'b')
    pipe.rpush('l', 'x', 'y', 'x')
    pipe.lrem('l', 1, 'x')
    pipe.setex('s', 100, 'value')
    assert pipe.execute() == [2, 3, 1, True]
    assert r.lrange('l', 0, -1) == [b'y', b'x']
    assert r.get('s') == b'value'
