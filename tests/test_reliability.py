"""Reliability under real faults: interrupted reads, dead peers, killed
servers, forks, threads, leaks, garbage and giants.

Every fault is real: a proxy that stalls or corrupts bytes, a server that
sleeps, is killed or closes idle connections, a signal that interrupts a
read. Nothing here mocks the server.
"""
import gc
import os
import random
import signal
import sys
import threading
import time

import pytest
from hypothesis import given, settings, strategies as st, HealthCheck

import redis
from redis.exceptions import (
    ConnectionError, InvalidResponse, ResponseError, TimeoutError,
)

from faultcontrol import BlackholeListener, debug_sleep
from faultproxy import FaultProxy, wait_until


def client_count(server, name=None):
    "Connections the server sees (optionally with a client name)"
    listing = server.command('CLIENT', 'LIST')
    if isinstance(listing, bytes):
        listing = listing.decode()
    lines = [line for line in listing.splitlines() if line]
    if name is not None:
        lines = [line for line in lines if ' name=%s ' % name in line + ' ']
    return len(lines)


@pytest.fixture
def proxy(clean_db):
    with FaultProxy(clean_db.host, clean_db.port) as fault_proxy:
        yield fault_proxy


@pytest.fixture
def via_proxy(proxy, parser_class):
    "make(**kwargs): a StrictRedis through the proxy on the test's parser"
    made = []

    def make(**kwargs):
        client = redis.StrictRedis(connection_pool=redis.ConnectionPool(
            host=proxy.host, port=proxy.port, parser_class=parser_class,
            **kwargs))
        made.append(client)
        return client
    yield make
    for client in made:
        client.connection_pool.disconnect()


class TestNoReplyDesync(object):
    def test_socket_timeout_mid_reply(self, via_proxy, proxy, r):
        r.set('a', b'A' * 100000)
        r.set('b', 'B')
        client = via_proxy(socket_timeout=0.2)
        assert client.get('b') == b'B'
        # let the first bytes of the big reply through, then stall
        proxy.stall('down')
        with pytest.raises(TimeoutError):
            client.get('a')
        proxy.release('down')
        assert client.get('b') == b'B'
        assert client.get('a') == b'A' * 100000

    def test_keyboard_interrupt_mid_read_random_points(self, make_client,
                                                       redis_server):
        if not hasattr(signal, 'setitimer'):
            pytest.skip('needs signal.setitimer')
        client = make_client()
        client.set('k', 'v')
        client.rpush('big', *range(2000))
        rnd = random.Random(7)

        armed = [False]

        def interrupt(signum, frame):
            if armed[0]:
                armed[0] = False
                raise KeyboardInterrupt()
        old = signal.signal(signal.SIGALRM, interrupt)
        interrupted = 0
        try:
            for i in range(200):
                # made and dropped while no alarm is armed, so the alarm
                # never fires inside a pipeline's __del__
                pipe = client.pipeline(transaction=False)
                try:
                    try:
                        armed[0] = True
                        signal.setitimer(signal.ITIMER_REAL,
                                         rnd.uniform(0.00001, 0.002))
                        if i % 2:
                            client.lrange('big', 0, -1)
                        else:
                            pipe.lrange('big', 0, -1).get('k')
                            pipe.execute()
                    finally:
                        armed[0] = False
                        signal.setitimer(signal.ITIMER_REAL, 0)
                except KeyboardInterrupt:
                    interrupted += 1
                pipe.reset()
                # whatever was interrupted, the next replies are our own
                assert client.get('k') == b'v'
                assert client.echo('x%d' % i) == b'x%d' % i
        finally:
            signal.signal(signal.SIGALRM, old)
        assert interrupted > 0

    def test_stalled_proxy_many_times(self, via_proxy, proxy, r):
        r.set('k', 'v')
        client = via_proxy(socket_timeout=0.05)
        for i in range(30):
            proxy.stall('down')
            with pytest.raises(TimeoutError):
                client.echo('lost-%d' % i)
            proxy.release('down')
            assert client.echo('mine-%d' % i) == b'mine-%d' % i
            pipe = client.pipeline(transaction=False)
            assert pipe.echo('p%d' % i).get('k').execute() == \
                [b'p%d' % i, b'v']


class TestNoCommandRunsTwice(object):
    def test_incr_during_server_sleep(self, make_client, redis_server):
        client = make_client(socket_timeout=0.3)
        client.set('counter', 0)
        with debug_sleep(redis_server.host, redis_server.port, 1.0) as sleep:
            try:
                result = client.incr('counter')
            except TimeoutError:
                result = None
            sleep.wait(5)
        value = int(client.get('counter'))
        assert value == 1
        assert result in (None, 1)

    def test_incr_with_retry_on_timeout_may_rerun_by_choice(
            self, make_client, redis_server):
        # the opt-in keeps 2.10.6's behaviour: a timed-out command is sent
        # again, so it may run twice; the default never does
        client = make_client(socket_timeout=0.3, retry_on_timeout=True)
        client.set('counter', 0)
        with debug_sleep(redis_server.host, redis_server.port, 0.6) as sleep:
            client.incr('counter')
            sleep.wait(5)
        assert int(client.get('counter')) == 2

    def test_client_kill_while_idle(self, make_client, redis_server):
        client = make_client()
        client.execute_command('CLIENT SETNAME', 'victim')
        assert client.ping()
        redis_server.command('CLIENT', 'KILL', 'SKIPME', 'yes', 'TYPE',
                             'normal')
        wait_until(lambda: client_count(redis_server, 'victim') == 0)
        client.set('counter', 0)
        assert client.incr('counter') == 1
        assert int(client.get('counter')) == 1

    def test_server_restart_while_idle(self, make_server, parser_class):
        server = make_server()
        client = redis.StrictRedis(connection_pool=redis.ConnectionPool(
            parser_class=parser_class, **server.connection_kwargs()))
        assert client.ping()
        server.restart()
        assert client.incr('counter') == 1
        assert client.get('counter') == b'1'
        client.connection_pool.disconnect()

    def test_idle_timeout_config(self, make_server, parser_class):
        server = make_server()
        server.command('CONFIG', 'SET', 'timeout', '1')
        client = redis.StrictRedis(connection_pool=redis.ConnectionPool(
            parser_class=parser_class, **server.connection_kwargs()))
        client.execute_command('CLIENT SETNAME', 'idle')
        wait_until(lambda: client_count(server, 'idle') == 0, timeout=10)
        assert client.incr('counter') == 1
        assert client.get('counter') == b'1'
        client.connection_pool.disconnect()

    def test_send_failure_on_dead_pooled_socket_is_retried(
            self, via_proxy, proxy):
        client = via_proxy()
        assert client.ping()
        proxy.drop_all(reset=True)
        wait_until(lambda: proxy.live == 0)
        assert client.incr('counter') == 1


class TestBlockingCommandsOutliveSocketTimeout(object):
    @pytest.mark.slow
    def test_blpop_waits_its_own_timeout(self, make_client):
        client = make_client(socket_timeout=1)
        start = time.monotonic()
        assert client.blpop('nothing', timeout=3) is None
        elapsed = time.monotonic() - start
        # the nil is the server's answer at 3 s: a socket timeout would
        # have raised; the upper bound only proves no hang
        assert 2.9 < elapsed < 30

    def test_brpop_and_brpoplpush(self, make_client):
        client = make_client(socket_timeout=0.2)
        start = time.monotonic()
        assert client.brpop(['nothing'], timeout=1) is None
        assert client.brpoplpush('nothing', 'dest', timeout=1) is None
        assert time.monotonic() - start > 1.9
        # the socket timeout is back for ordinary commands
        assert client.connection_pool.get_connection('x')._sock.gettimeout() \
            == 0.2

    def test_blpop_timeout_zero_waits_for_data(self, make_client, r):
        client = make_client(socket_timeout=0.2)

        def push_later():
            time.sleep(0.6)
            r.rpush('later', 'x')
        pusher = threading.Thread(target=push_later)
        pusher.start()
        try:
            assert client.blpop('later', timeout=0) == (b'later', b'x')
        finally:
            pusher.join()


class TestDeadPeers(object):
    def test_black_holed_connection_times_out(self, via_proxy, proxy):
        proxy.blackhole()
        client = via_proxy(socket_timeout=0.3)
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            client.ping()
        # the silence would last forever: only the 0.3 s timeout ends it
        assert time.monotonic() - start < 30

    def test_connect_to_black_hole(self, parser_class):
        with BlackholeListener() as hole:
            client = redis.StrictRedis(connection_pool=redis.ConnectionPool(
                host=hole.host, port=hole.port, parser_class=parser_class,
                socket_connect_timeout=0.3))
            start = time.monotonic()
            with pytest.raises((TimeoutError, ConnectionError)):
                client.ping()
            # not the system's minutes-long connect timeout
            assert time.monotonic() - start < 30

    def test_unreachable_port_names_host_and_port(self, parser_class):
        from servers import free_port
        port = free_port()
        client = redis.StrictRedis(connection_pool=redis.ConnectionPool(
            host='127.0.0.1', port=port, parser_class=parser_class))
        with pytest.raises(ConnectionError) as info:
            client.ping()
        assert '127.0.0.1:%d' % port in str(info.value)


class TestForkSafety(object):
    def _in_child(self, func):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                func()
                code = 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        # (a child killed by a signal gives minus its number, never 0)
        return os.waitstatus_to_exitcode(status)

    def test_child_uses_client_parent_keeps_connection(self, r):
        r.set('k', 'v')
        conn = r.connection_pool.get_connection('GET')
        r.connection_pool.release(conn)
        sock = conn._sock
        assert sock is not None

        def child():
            assert r.get('k') == b'v'
            r.set('child', 'yes')
            r.connection_pool.disconnect()
        assert self._in_child(child) == 0
        assert r.get('k') == b'v'
        assert r.get('child') == b'yes'
        assert conn._sock is sock

    def test_fork_while_threads_crowd_the_pool(self, make_client):
        # threads of the parent keep taking the pool's locks (here: a full
        # pool refusing them); a child forked meanwhile must not wait for
        # ever on a lock one of them held at fork()
        client = make_client(max_connections=2)
        stop = threading.Event()
        refused = []

        def crowd():
            while not stop.is_set():
                try:
                    client.ping()
                except ConnectionError:
                    refused.append(1)

        threads = [threading.Thread(target=crowd) for _ in range(8)]
        for thread in threads:
            thread.start()
        try:
            wait_until(lambda: len(refused) > 100, timeout=10)

            def child():
                signal.alarm(5)  # a hang ends as SIGALRM, not as a stuck run
                assert client.ping() is True
            statuses = [self._in_child(child) for _ in range(10)]
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        assert statuses == [0] * 10


    def test_pipeline_and_pubsub_open_in_parent(self, r):
        pubsub = r.pubsub()
        pubsub.subscribe('chan')
        assert pubsub.get_message(timeout=1)['type'] == 'subscribe'
        pipe = r.pipeline()
        pipe.watch('w')

        def child():
            assert r.ping()
            r.set('from-child', 1)
        assert self._in_child(child) == 0
        assert r.publish('chan', 'hello') == 1
        message = pubsub.get_message(timeout=1)
        assert message['data'] == b'hello'
        pipe.multi()
        pipe.set('w', 1)
        assert pipe.execute() == [True]
        pubsub.close()


class TestThreadSafety(object):
    @pytest.mark.slow
    def test_32_threads_8_connections(self, clean_db, parser_class):
        pool = redis.BlockingConnectionPool(
            max_connections=8, timeout=20, parser_class=parser_class,
            **clean_db.connection_kwargs())
        client = redis.StrictRedis(connection_pool=pool)
        client.execute_command('CLIENT SETNAME', 'pooled')
        errors = []
        peak = [0]
        deadline = time.monotonic() + 10
        stop = threading.Event()

        def work(n):
            try:
                i = 0
                while time.monotonic() < deadline:
                    key = 't%d-%d' % (n, i % 50)
                    value = '%d:%d' % (n, i)
                    assert client.set(key, value) is True
                    assert client.get(key) == value.encode()
                    i += 1
            except Exception as e:  # reported below
                errors.append(e)

        def watch():
            while not stop.is_set():
                peak[0] = max(peak[0], pool_clients())
                stop.wait(0.2)

        def pool_clients():
            listing = clean_db.command('CLIENT', 'LIST')
            if isinstance(listing, bytes):
                listing = listing.decode()
            return sum(1 for line in listing.splitlines()
                       if 'cmd=client' not in line and line
                       and 'id=' in line) - 1  # minus the harness' own

        threads = [threading.Thread(target=work, args=(n,)) for n in range(32)]
        watcher = threading.Thread(target=watch)
        watcher.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stop.set()
        watcher.join()
        pool.disconnect()
        assert errors == []
        assert len(pool._connections) <= 8
        assert peak[0] <= 8


class TestThreadsUnderConnectionChaos(object):
    @pytest.mark.slow
    def test_replies_never_cross_between_threads(self, via_proxy, proxy,
                                                 clean_db):
        # 8 threads share one client while every connection is cut (FIN or
        # RST) every few milliseconds: each reply a thread gets must be its
        # own command's, and no INCR may run twice
        client = via_proxy(socket_timeout=5)
        deadline = time.monotonic() + 4
        errors = []
        stats = {}

        def work(n):
            key, empty = 'chaos:%d' % n, 'chaos-list:%d' % n
            ok = failed = last = 0
            try:
                while time.monotonic() < deadline:
                    try:
                        value = client.incr(key)
                    except (ConnectionError, TimeoutError):
                        failed += 1
                        continue
                    # only this thread touches key: its own reply is larger
                    # than the last one (an INCR that raised may have run)
                    assert isinstance(value, int) and value > last
                    last = value
                    ok += 1
                    try:
                        got = client.pipeline(transaction=n % 2 == 0) \
                            .get(key).lrange(empty, 0, -1).execute()
                    except (ConnectionError, TimeoutError):
                        continue
                    assert int(got[0]) >= last and got[1] == []
            except Exception as e:  # reported below
                errors.append(e)
            stats[n] = (ok, failed)

        def chaos():
            rnd = random.Random(5)
            while time.monotonic() < deadline:
                time.sleep(rnd.uniform(0.005, 0.03))
                proxy.drop_all(reset=rnd.random() < 0.5)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        threads.append(threading.Thread(target=chaos))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert proxy.stats()['closed'] > 20  # the chaos did happen
        for n, (ok, failed) in stats.items():
            final = int(clean_db.command('GET', 'chaos:%d' % n))
            assert ok > 0
            assert ok <= final <= ok + failed
        # connections were reconnected, not piled up
        pool = client.connection_pool
        assert pool._created_connections <= 8
        assert len(pool._in_use_connections) == 0


class TestDisconnectWhileInUse(object):
    @pytest.mark.slow
    def test_pool_disconnect_under_load_raises_only_redis_errors(
            self, make_client):
        # pool.disconnect() closes busy connections too: the threads using
        # them may see ConnectionError, never an AttributeError or TypeError
        # on the socket that vanished under them
        client = make_client()
        pool = client.connection_pool
        unexpected = []
        stop = threading.Event()

        def work():
            while not stop.is_set():
                try:
                    client.ping()
                except redis.RedisError:
                    pass
                except Exception as e:  # reported below
                    unexpected.append(repr(e))

        interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-5)  # more interleavings per second
        threads = [threading.Thread(target=work) for _ in range(16)]
        try:
            for thread in threads:
                thread.start()
            for _ in range(3000):
                pool.disconnect()
        finally:
            stop.set()
            for thread in threads:
                thread.join()
            sys.setswitchinterval(interval)
        assert unexpected == []
        assert client.ping() is True


class TestNoLeaks(object):
    def test_abandoned_objects(self, make_client, redis_server):
        client = make_client()
        client.ping()
        gc.collect()
        baseline = client_count(redis_server)
        for i in range(30):
            pubsub = client.pubsub()
            pubsub.subscribe('c%d' % i)
            del pubsub
            try:
                with client.pipeline() as pipe:
                    pipe.watch('x')
                    raise RuntimeError('abandon')
            except RuntimeError:
                pass
            other = redis.StrictRedis(
                **{k: v for k, v in redis_server.connection_kwargs().items()
                   if k in ('host', 'port', 'password')})
            other.ping()
            del other
        gc.collect()
        wait_until(lambda: client_count(redis_server) <= baseline, timeout=5)
        pool = client.connection_pool
        assert len(pool._in_use_connections) == 0
        assert pool._created_connections == len(pool._available_connections)


class TestGarbageAndGiants(object):
    @pytest.mark.parametrize('garbage,close', [
        (b'!garbage\r\n', False),
        (b'$-5\r\n', False),
        (b'$999999999999\r\n', False),
        (b'*99999999999999\r\n', False),
        (b'$10\r\nabc', True),
    ])
    def test_garbage(self, via_proxy, proxy, garbage, close):
        client = via_proxy(socket_timeout=60)
        assert client.ping()
        proxy.garbage(garbage, close=close)
        start = time.monotonic()
        # TimeoutError is neither of these: the garbage itself was the error
        with pytest.raises((InvalidResponse, ConnectionError)):
            client.get('anything')
        assert time.monotonic() - start < 30
        # the bad connection was dropped; a new one works
        assert client.ping()

    @pytest.mark.slow
    def test_100_mib_round_trip(self, r):
        value = os.urandom(1024 * 1024) * 100
        assert r.set('giant', value)
        assert r.get('giant') == value
        assert r.strlen('giant') == len(value)


class TestSecrets(object):
    def test_password_not_in_repr_or_errors(self, redis_password_server,
                                            parser_class):
        url = 'redis://:sekrit@%s:%d/0' % (redis_password_server.host,
                                           redis_password_server.port)
        client = redis.StrictRedis.from_url(url, parser_class=parser_class)
        assert client.ping()
        text = repr(client) + repr(client.connection_pool) + repr(
            client.connection_pool.get_connection('x'))
        assert 'sekrit' not in text
        bad = redis.StrictRedis.from_url(url.replace('sekrit', 'wrong'),
                                         parser_class=parser_class)
        with pytest.raises(redis.AuthenticationError) as info:
            bad.ping()
        assert 'wrong' not in str(info.value)
        closed = redis.StrictRedis(host='127.0.0.1', port=1,
                                   password='sekrit')
        with pytest.raises(ConnectionError) as info:
            closed.ping()
        assert 'sekrit' not in str(info.value)


values = st.one_of(st.binary(max_size=200),
                   st.text(max_size=50),
                   st.integers(min_value=-2 ** 63, max_value=2 ** 63 - 1),
                   st.floats(allow_nan=False, allow_infinity=False))


def as_bytes(value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, float):
        return repr(value).encode()
    return str(value).encode()


@pytest.mark.parametrize('pipelined', [False, True], ids=['direct', 'pipe'])
def test_property_round_trips(r, pipelined):
    @settings(max_examples=60, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(value=values, items=st.lists(values, min_size=1, max_size=20),
           mapping=st.dictionaries(st.binary(min_size=1, max_size=20), values,
                                   min_size=1, max_size=20))
    def check(value, items, mapping):
        r.delete('s', 'l', 'h')
        target = r.pipeline(transaction=False) if pipelined else r
        results = [target.set('s', value), target.get('s'),
                   target.rpush('l', *items), target.lrange('l', 0, -1),
                   target.hmset('h', mapping), target.hgetall('h')]
        if pipelined:
            results = target.execute()
        assert results[1] == as_bytes(value)
        assert results[3] == [as_bytes(item) for item in items]
        assert results[5] == dict((k, as_bytes(v)) for k, v in mapping.items())
    check()
