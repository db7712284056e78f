"""ConnectionPool and BlockingConnectionPool against a real server, on both
parsers."""
import os
import threading
import time

import pytest

import redis
from redis.connection import Connection, UnixDomainSocketConnection


@pytest.fixture
def make_pool(clean_db, parser_class):
    "make_pool(cls=ConnectionPool, **kwargs): a pool to the master"
    made = []

    def make(cls=redis.ConnectionPool, **kwargs):
        pool_kwargs = clean_db.connection_kwargs()
        pool_kwargs['parser_class'] = parser_class
        pool_kwargs.update(kwargs)
        pool = cls(**pool_kwargs)
        made.append(pool)
        return pool

    yield make
    for pool in made:
        pool.disconnect()


def wait_for(predicate, timeout=5.0):
    "Poll `predicate` until true (a condition, not a fixed pause)"
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError('condition not met within %ss' % timeout)
        time.sleep(0.001)


def roundtrip(connection, *args):
    connection.send_command(*args)
    return connection.read_response()


# ---- ConnectionPool ---------------------------------------------------------

def test_connection_reused_after_release(make_pool):
    pool = make_pool()
    c1 = pool.get_connection('GET')
    assert pool._in_use_connections == {c1}
    assert pool._available_connections == []
    pool.release(c1)
    assert pool._in_use_connections == set()
    assert pool._available_connections == [c1]
    c2 = pool.get_connection('GET')
    assert c2 is c1
    assert roundtrip(c2, 'ECHO', 'reused') == b'reused'
    pool.release(c2)


def test_busy_connections_are_distinct(make_pool):
    pool = make_pool()
    c1 = pool.get_connection('GET')
    c2 = pool.get_connection('GET')
    assert c1 is not c2
    assert pool._in_use_connections == {c1, c2}
    pool.release(c1)
    pool.release(c2)
    assert len(pool._available_connections) == 2


def test_max_connections(make_pool):
    pool = make_pool(max_connections=2)
    c1 = pool.get_connection('GET')
    c2 = pool.get_connection('GET')
    with pytest.raises(redis.ConnectionError) as info:
        pool.get_connection('GET')
    assert str(info.value) == 'Too many connections'
    # a released connection can be handed out again
    pool.release(c2)
    assert pool.get_connection('GET') is c2
    pool.release(c1)
    pool.release(c2)


def test_max_connections_must_be_a_positive_integer():
    with pytest.raises(ValueError):
        redis.ConnectionPool(max_connections=-1)
    with pytest.raises(ValueError):
        redis.ConnectionPool(max_connections='10')


@pytest.mark.parametrize('cls', [redis.ConnectionPool,
                                 redis.BlockingConnectionPool])
def test_releasing_twice_does_not_share_a_connection(make_pool, cls):
    pool = make_pool(cls)
    c1 = pool.get_connection('GET')
    pool.release(c1)
    pool.release(c1)
    a = pool.get_connection('GET')
    b = pool.get_connection('GET')
    assert a is not b
    pool.release(a)
    pool.release(b)
    pool.release(c1)  # (one of them, released a third time)
    assert len({id(pool.get_connection('GET')) for _ in range(2)}) == 2


def test_disconnect_closes_idle_and_busy(make_pool):
    pool = make_pool()
    busy = pool.get_connection('GET')
    idle = pool.get_connection('GET')
    roundtrip(busy, 'PING')
    roundtrip(idle, 'PING')
    pool.release(idle)
    pool.disconnect()
    assert busy._sock is None
    assert idle._sock is None
    # both reconnect on next use
    assert roundtrip(busy, 'ECHO', 'again') == b'again'
    pool.release(busy)


def test_reset(make_pool):
    pool = make_pool()
    pool.release(pool.get_connection('GET'))
    pool.get_connection('GET')
    pool.reset()
    assert pool._available_connections == []
    assert pool._in_use_connections == set()
    assert pool._created_connections == 0
    assert pool.pid == os.getpid()


def test_repr():
    pool = redis.ConnectionPool(host='localhost', port=6379, db=1)
    assert repr(pool) == \
        'ConnectionPool<Connection<host=localhost,port=6379,db=1>>'
    pool = redis.ConnectionPool(connection_class=UnixDomainSocketConnection,
                                path='/abc', db=1)
    assert repr(pool) == \
        'ConnectionPool<UnixDomainSocketConnection<path=/abc,db=1>>'
    pool = redis.BlockingConnectionPool(host='localhost', port=6380)
    assert repr(pool) == \
        'BlockingConnectionPool<Connection<host=localhost,port=6380,db=0>>'


def test_connection_kwargs_kept_as_given():
    pool = redis.ConnectionPool(host='somehost', port=6380, db=3,
                                socket_timeout=1.5, max_connections=4,
                                connection_class=Connection)
    assert pool.connection_kwargs == {'host': 'somehost', 'port': 6380,
                                      'db': 3, 'socket_timeout': 1.5}
    assert pool.max_connections == 4
    assert pool.connection_class is Connection
    # nothing connects until a command needs it
    assert pool._created_connections == 0


def test_pid(make_pool):
    pool = make_pool()
    assert pool.pid == os.getpid()
    assert pool.get_connection('GET').pid == os.getpid()


def test_get_encoder():
    pool = redis.ConnectionPool(encoding='latin-1', decode_responses=True)
    encoder = pool.get_encoder()
    assert encoder.encoding == 'latin-1'
    assert encoder.decode_responses is True
    assert encoder.encode('\xe9') == b'\xe9'


def _in_child(body):
    """Run body() in a forked child; returns its exit code (0 when body
    returned True)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = 0 if body() else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_fork_child_uses_pool_parent_keeps_its_connection(make_pool):
    pool = make_pool()
    client = redis.StrictRedis(connection_pool=pool)
    client.set('owner', 'parent')
    parent_conn = pool._available_connections[0]
    parent_sock = parent_conn._sock

    def child():
        client.set('owner', 'child')
        child_conn = pool._available_connections[0]
        return (client.get('owner') == b'child'
                and child_conn is not parent_conn
                and pool.pid == os.getpid())

    assert _in_child(child) == 0
    # the parent's pooled socket survived the child's use and exit
    assert pool.pid == os.getpid()
    assert pool._available_connections == [parent_conn]
    assert client.get('owner') == b'child'
    assert parent_conn._sock is parent_sock


def test_fork_child_disconnect_leaves_parent_socket(make_pool):
    pool = make_pool()
    client = redis.StrictRedis(connection_pool=pool)
    client.set('k', 'v')
    parent_conn = pool._available_connections[0]
    parent_sock = parent_conn._sock

    def child():
        pool.disconnect()
        return True

    assert _in_child(child) == 0
    assert client.get('k') == b'v'
    assert parent_conn._sock is parent_sock


def test_threads_share_one_pool(make_pool):
    pool = make_pool()
    client = redis.StrictRedis(connection_pool=pool)
    errors = []
    threads_n, rounds = 8, 100

    def work(n):
        try:
            for i in range(rounds):
                value = '%d-%d' % (n, i)
                client.set('thread:%d' % n, value)
                # each reply must be this thread's own
                if client.get('thread:%d' % n) != value.encode():
                    errors.append((n, i))
                client.incr('counter')
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,))
               for n in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert client.get('counter') == str(threads_n * rounds).encode()
    assert pool._created_connections <= threads_n
    assert pool._in_use_connections == set()


def test_custom_connection_class(make_pool):
    class TaggedConnection(Connection):
        def __init__(self, tag=None, **kwargs):
            self.tag = tag
            super(TaggedConnection, self).__init__(**kwargs)

    pool = make_pool(connection_class=TaggedConnection, tag='mine')
    assert pool.connection_kwargs['tag'] == 'mine'
    client = redis.StrictRedis(connection_pool=pool)
    assert client.set('custom', '1') is True
    conn = pool.get_connection('GET')
    assert isinstance(conn, TaggedConnection)
    assert conn.tag == 'mine'
    pool.release(conn)


# ---- handing out a connection ----------------------------------------------

def test_unread_reply_is_not_handed_to_the_next_command(make_pool):
    pool = make_pool()
    client = redis.StrictRedis(connection_pool=pool)
    conn = pool.get_connection('ECHO')
    conn.send_command('ECHO', 'stale')
    wait_for(lambda: conn.can_read(timeout=0))
    pool.release(conn)
    assert client.echo('fresh') == b'fresh'


def test_connection_closed_by_server_is_replaced(make_pool, clean_db):
    pool = make_pool()
    client = redis.StrictRedis(connection_pool=pool)
    conn = pool.get_connection('CLIENT')
    client_id = roundtrip(conn, 'CLIENT', 'ID')
    pool.release(conn)
    assert clean_db.command('CLIENT', 'KILL', 'ID', client_id) == 1
    wait_for(lambda: conn.can_read(timeout=0))
    assert client.echo('after kill') == b'after kill'
    assert pool._created_connections == 1


# ---- BlockingConnectionPool -------------------------------------------------

def test_blocking_pool_reuses_connections(make_pool):
    pool = make_pool(redis.BlockingConnectionPool, max_connections=2)
    c1 = pool.get_connection('GET')
    pool.release(c1)
    assert pool.get_connection('GET') is c1
    assert roundtrip(c1, 'ECHO', 'blocking') == b'blocking'
    pool.release(c1)


def test_blocking_pool_times_out(make_pool):
    pool = make_pool(redis.BlockingConnectionPool, max_connections=1,
                     timeout=0.1)
    c1 = pool.get_connection('GET')
    start = time.monotonic()
    with pytest.raises(redis.ConnectionError):
        pool.get_connection('GET')
    assert time.monotonic() - start >= 0.09
    pool.release(c1)


def test_blocking_pool_release_wakes_a_waiter(make_pool):
    pool = make_pool(redis.BlockingConnectionPool, max_connections=1,
                     timeout=10)
    c1 = pool.get_connection('GET')
    got = []
    waiter = threading.Thread(
        target=lambda: got.append(pool.get_connection('GET')))
    waiter.start()
    # the waiter is blocked on the queue's condition
    wait_for(lambda: len(pool.pool.not_empty._waiters) == 1)
    start = time.monotonic()
    pool.release(c1)
    waiter.join(5)
    assert not waiter.is_alive()
    assert got == [c1]
    assert time.monotonic() - start < 5
    pool.release(c1)


def test_blocking_pool_respects_max_connections(make_pool):
    pool = make_pool(redis.BlockingConnectionPool, max_connections=3,
                     timeout=0.05)
    conns = [pool.get_connection('GET') for _ in range(3)]
    assert len(set(conns)) == 3
    with pytest.raises(redis.ConnectionError):
        pool.get_connection('GET')
    assert len(pool._connections) == 3
    for conn in conns:
        pool.release(conn)


def test_blocking_pool_threads(make_pool):
    pool = make_pool(redis.BlockingConnectionPool, max_connections=2,
                     timeout=10)
    client = redis.StrictRedis(connection_pool=pool)
    errors = []

    def work():
        try:
            for _ in range(50):
                client.incr('blocking-counter')
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert client.get('blocking-counter') == b'300'
    assert len(pool._connections) <= 2


def test_blocking_pool_disconnect(make_pool):
    pool = make_pool(redis.BlockingConnectionPool, max_connections=2)
    conn = pool.get_connection('GET')
    roundtrip(conn, 'PING')
    pool.release(conn)
    pool.disconnect()
    assert conn._sock is None
    assert pool.get_connection('GET') is conn
    assert roundtrip(conn, 'ECHO', 'back') == b'back'
    pool.release(conn)


def test_blocking_pool_fork(make_pool):
    pool = make_pool(redis.BlockingConnectionPool, max_connections=2)
    client = redis.StrictRedis(connection_pool=pool)
    client.set('k', 'parent')
    parent_conns = list(pool._connections)

    def child():
        client.set('k', 'child')
        return pool._connections[0] not in parent_conns

    assert _in_child(child) == 0
    assert client.get('k') == b'child'
    assert pool._connections == parent_conns


def test_parser_of_the_users_own_keeps_its_connection(make_pool, parser_class):
    # 2.10.6 let users pass any parser with its four methods; the pool's
    # health check must not take one without has_buffered_data() for a
    # broken connection and reconnect on every command
    class Wrapped(object):
        def __init__(self, socket_read_size):
            self.inner = parser_class(socket_read_size=socket_read_size)

        def __repr__(self):
            return 'Wrapped<%r>' % (self.inner,)

        def on_connect(self, connection):
            self.inner.on_connect(connection)

        def on_disconnect(self):
            self.inner.on_disconnect()

        def can_read(self):
            return self.inner.can_read()

        def read_response(self):
            return self.inner.read_response()

    client = redis.StrictRedis(connection_pool=make_pool(parser_class=Wrapped))
    first = client.execute_command('CLIENT', 'ID')
    for i in range(5):
        assert client.set('k', i) is True
        assert client.get('k') == str(i).encode()
    assert client.execute_command('CLIENT', 'ID') == first
