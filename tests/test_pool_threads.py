"""Many threads checking connections out of one pool, releasing them and
disconnecting the pool at once: no connection is lost, none is handed to
two threads at the same time, and the counts add up at the end. The pool
keeps its state under its own lock, so this holds on a free-threaded
build too, where no single list or set operation is atomic."""
import os
import socket
import threading

import pytest

from redis.connection import (
    BlockingConnectionPool, Connection, ConnectionPool,
    UnixDomainSocketConnection,
)
from redis.connection_classes import is_socket_readable
from redis.exceptions import ConnectionError

THREADS = 8
ROUNDS = 3000
SIZE = 4  # fewer connections than threads: they are fought over


def make_pool(kind):
    # never connected: the pool's bookkeeping is what is under test
    if kind == 'blocking':
        return BlockingConnectionPool(max_connections=SIZE, timeout=None,
                                      host='127.0.0.1', port=1)
    # (no limit: a connection being disconnected by disconnect_idle() is
    # out of the idle list meanwhile, and a checkout then makes a new one)
    return ConnectionPool(host='127.0.0.1', port=1)


def hammer(pool):
    "Run the threads; return every connection any of them was handed."
    holders = {}
    seen = set()
    book = threading.Lock()
    errors = []
    start = threading.Barrier(THREADS + 1)
    done = threading.Event()

    def worker():
        start.wait()
        try:
            for _ in range(ROUNDS):
                connection = pool.get_connection('GET')
                me = threading.get_ident()
                with book:
                    assert connection not in holders, 'handed out twice'
                    holders[connection] = me
                    seen.add(connection)
                with book:
                    assert holders.pop(connection) == me
                pool.release(connection)
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    def disconnecter():
        start.wait()
        disconnects = 0
        try:
            while not done.is_set() or disconnects == 0:
                pool.disconnect()
                pool.disconnect_idle()
                disconnects += 1
        except BaseException as error:
            errors.append(error)

    workers = [threading.Thread(target=worker) for _ in range(THREADS - 1)]
    other = threading.Thread(target=disconnecter)
    for thread in workers + [other]:
        thread.start()
    start.wait()
    for thread in workers:
        thread.join()
    done.set()
    other.join()
    assert errors == []
    assert holders == {}
    return seen


def test_connection_pool_under_threads():
    pool = make_pool('plain')
    seen = hammer(pool)
    assert pool._in_use_connections == set()
    assert len(pool._available_connections) == pool._created_connections
    assert set(pool._available_connections) == seen


def test_blocking_pool_under_threads():
    pool = make_pool('blocking')
    seen = hammer(pool)
    queued = list(pool.pool.queue)
    assert len(queued) == SIZE
    made = [c for c in queued if c is not None]
    assert len(set(made)) == len(made)
    assert set(made) == set(pool._connections) == seen
    assert pool._in_use == set()


@pytest.mark.parametrize('kind', ['plain', 'blocking'])
def test_disconnect_idle_picks_by_predicate(kind):
    pool = make_pool(kind)
    a = pool.get_connection('GET')
    b = pool.get_connection('GET')
    pool.release(a)
    pool.release(b)
    dropped = []
    a.disconnect = lambda: dropped.append(a)
    b.disconnect = lambda: dropped.append(b)
    assert pool.disconnect_idle(lambda c: c is a) == 1
    assert dropped == [a]
    # both still pooled
    got = {pool.get_connection('GET'), pool.get_connection('GET')}
    assert got == {a, b}


@pytest.mark.skipif(not hasattr(os, 'fork'), reason='needs fork()')
@pytest.mark.parametrize('kind', ['plain', 'blocking'])
def test_child_never_takes_the_lock_a_parent_thread_held(kind):
    pool = make_pool(kind)
    pool.release(pool.get_connection('GET'))
    # a parent thread in the middle of changing the pool at fork()
    with pool._lock:
        pid = os.fork()
        if pid == 0:
            try:
                connection = pool.get_connection('GET')
                ok = isinstance(connection, Connection)
                pool.release(connection)
                pool.disconnect()
                pool.disconnect_idle()
            finally:
                os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


# What the pool asks of this package's connections


def test_is_connected_and_health_follow_the_socket(redis_server,
                                                  parser_class):
    connection = Connection(host=redis_server.host, port=redis_server.port,
                            parser_class=parser_class)
    assert connection.is_connected is False
    assert connection.is_idle_and_healthy()  # connecting makes it healthy
    connection.connect()
    assert connection.is_connected is True
    assert connection.is_idle_and_healthy()
    connection.send_command('PING')
    assert is_socket_readable(connection._sock, None)
    assert not connection.is_idle_and_healthy()  # an unread reply waits
    connection.disconnect()
    assert connection.is_connected is False


def test_connect_errors_name_the_address(tmp_path):
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    port = listener.getsockname()[1]
    listener.close()  # nothing listens there now
    with pytest.raises(ConnectionError) as info:
        Connection(host='127.0.0.1', port=port).connect()
    assert str(info.value).startswith('Error ')
    assert ' connecting to 127.0.0.1:%d. ' % port in str(info.value)
    path = str(tmp_path / 'missing.sock')
    with pytest.raises(ConnectionError) as info:
        UnixDomainSocketConnection(path=path).connect()
    assert ' connecting to unix socket: %s. ' % path in str(info.value)


def test_unix_connection_takes_2106_positional_arguments(tmp_path):
    connection = UnixDomainSocketConnection('/p.sock', 3, 'secret', 1.5)
    assert (connection.path, connection.db, connection.password,
            connection.socket_timeout) == ('/p.sock', 3, 'secret', 1.5)
    assert not hasattr(connection, 'host')
    assert repr(connection) == \
        'UnixDomainSocketConnection<path=/p.sock,db=3>'
