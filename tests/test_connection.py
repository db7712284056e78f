"""Connections against real servers (TCP, unix socket, password, TLS) and
against tiny raw-socket servers that misbehave, on both parsers."""
import signal
import socket
import threading
import time

import pytest

import redis
from redis.connection import (
    Connection, SSLConnection, UnixDomainSocketConnection,
)
from redis.exceptions import (
    AuthenticationError, ConnectionError, InvalidResponse, RedisError,
    ResponseError, TimeoutError,
)
from faultcontrol import BlackholeListener
from servers import free_port, raw_command


def connection_to(server, parser_class, **kwargs):
    options = server.connection_kwargs()
    options.update(kwargs)
    cls = options.pop('connection_class', Connection)
    return cls(parser_class=parser_class, **options)


def roundtrip(connection, *args):
    connection.send_command(*args)
    return connection.read_response()


@pytest.fixture
def conn(clean_db, parser_class):
    connection = connection_to(clean_db, parser_class)
    yield connection
    connection.disconnect()


class ScriptedServer(object):
    """A one-connection TCP server in a thread: reads a request, then sends
    `reply` (bytes) and optionally closes."""

    def __init__(self, reply, close=False, pieces=None):
        self.reply = reply
        self.close = close
        # sent one by one with a pause between, so the client's reads
        # usually end where the pieces do (its replies must not depend on
        # how they coalesce); a threading.Event among them holds the rest
        # back until the test sets it
        self.pieces = pieces
        self.listener = socket.socket()
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.received = b''
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def __repr__(self):
        return 'ScriptedServer<port=%d>' % self.port

    def _serve(self):
        self.listener.settimeout(10)
        try:
            sock, _ = self.listener.accept()
        except OSError:
            return
        with sock:
            sock.settimeout(10)
            try:
                self.received = sock.recv(65536)
                if self.pieces is None:
                    sock.sendall(self.reply)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                for piece in self.pieces or ():
                    if isinstance(piece, threading.Event):
                        piece.wait(10)
                        continue
                    sock.sendall(piece)
                    time.sleep(0.01)
                if not self.close:
                    # hold the connection until the client goes away
                    while sock.recv(65536):
                        pass
            except OSError:
                pass

    def stop(self):
        self.listener.close()
        self.thread.join(10)


# ---- reprs and defaults -----------------------------------------------------

def test_reprs():
    assert repr(Connection()) == 'Connection<host=localhost,port=6379,db=0>'
    assert repr(Connection(host='h', port=1, db=2)) == \
        'Connection<host=h,port=1,db=2>'
    assert repr(UnixDomainSocketConnection(path='/abc', db=1)) == \
        'UnixDomainSocketConnection<path=/abc,db=1>'
    assert repr(SSLConnection(host='h', port=6380)) == \
        'SSLConnection<host=h,port=6380,db=0>'


def test_nothing_connects_at_construction():
    connection = Connection(port=free_port())
    assert connection._sock is None
    assert connection.socket_timeout is None
    assert connection.retry_on_timeout is False


def test_invalid_ssl_cert_reqs():
    with pytest.raises(RedisError):
        SSLConnection(ssl_cert_reqs='sometimes')


# ---- TCP ----------------------------------------------------------------------

def test_tcp_roundtrip_and_disconnect(conn):
    assert roundtrip(conn, 'SET', 'k', 'v') == b'OK'
    assert roundtrip(conn, 'GET', 'k') == b'v'
    assert conn._sock is not None
    conn.disconnect()
    assert conn._sock is None
    # disconnecting twice is harmless; the next command reconnects
    conn.disconnect()
    assert roundtrip(conn, 'GET', 'k') == b'v'


def test_error_reply_raises_and_keeps_connection(conn):
    with pytest.raises(ResponseError):
        roundtrip(conn, 'NOSUCHCOMMAND')
    sock = conn._sock
    assert roundtrip(conn, 'ECHO', 'still here') == b'still here'
    assert conn._sock is sock


def test_db_selected_on_connect(harness_server, clean_db, parser_class):
    connection = connection_to(harness_server, parser_class, db=2)
    try:
        assert roundtrip(connection, 'SET', 'in-db-2', '1') == b'OK'
        assert harness_server.command('EXISTS', 'in-db-2') == 0
        assert raw_command('GET', 'in-db-2', port=harness_server.port,
                           db=2) == b'1'
    finally:
        connection.disconnect()


def test_pack_command(conn):
    packed = b''.join(conn.pack_command('SET', 'a', 1))
    assert packed == b'*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n'


def test_decode_responses(clean_db, parser_class):
    connection = connection_to(clean_db, parser_class, decode_responses=True)
    try:
        assert roundtrip(connection, 'ECHO', 'caf\xe9') == 'caf\xe9'
    finally:
        connection.disconnect()


def test_can_read(conn):
    conn.connect()
    assert conn.can_read() is False
    conn.send_command('ECHO', 'x')
    assert conn.can_read(timeout=5) is True
    assert conn.read_response() == b'x'
    assert conn.can_read() is False


def test_closed_port_names_host_and_port(parser_class):
    port = free_port()
    connection = Connection(host='127.0.0.1', port=port,
                            parser_class=parser_class)
    with pytest.raises(ConnectionError) as info:
        connection.connect()
    assert '127.0.0.1:%d' % port in str(info.value)
    assert connection._sock is None


def test_connect_timeout(parser_class):
    with BlackholeListener() as hole:
        connection = Connection(host=hole.host, port=hole.port,
                                socket_connect_timeout=0.2,
                                parser_class=parser_class)
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            connection.connect()
        elapsed = time.monotonic() - start
    # the lower bound proves the wait; the upper one only that the 0.2 s
    # timeout, not the system's minutes-long one, ended it (a loaded CI
    # machine may add seconds)
    assert 0.15 <= elapsed < 30
    assert connection._sock is None


def test_read_timeout_drops_the_connection(conn):
    conn.socket_timeout = 0.1
    conn.connect()
    with pytest.raises(TimeoutError):
        roundtrip(conn, 'DEBUG', 'SLEEP', '0.5')
    assert conn._sock is None
    # the server still sleeps: wait for it this time. The next command
    # gets its own reply, not the late OK.
    conn.socket_timeout = 5
    assert roundtrip(conn, 'ECHO', 'mine') == b'mine'


def test_server_closing_raises_connection_error(conn, clean_db):
    client_id = roundtrip(conn, 'CLIENT', 'ID')
    clean_db.command('CLIENT', 'KILL', 'ID', client_id)
    with pytest.raises(ConnectionError):
        conn.read_response()
    assert conn._sock is None


# ---- misbehaving servers ------------------------------------------------------

@pytest.mark.parametrize('garbage', [
    b'?garbage\r\n',
    b'!not resp at all\r\n',
])
def test_invalid_response_drops_the_connection(parser_class, garbage):
    server = ScriptedServer(garbage)
    connection = Connection(host='127.0.0.1', port=server.port,
                            socket_timeout=5, parser_class=parser_class)
    try:
        connection.send_command('PING')
        with pytest.raises(InvalidResponse):
            connection.read_response()
        assert connection._sock is None
    finally:
        connection.disconnect()
        server.stop()
    assert server.received == b'*1\r\n$4\r\nPING\r\n'


BIG = bytes(range(256)) * 1200  # 307,200 bytes: a big bulk string


@pytest.mark.parametrize('cuts', [
    # header split at every byte, the value and its CRLF split apart
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100, 70000, 307210, 307211],
    # the CR ends one read, the LF starts the next with the next reply
    [9 + 65536, 9 + 307200 + 1],
    # everything at once
    [],
])
def test_big_bulk_in_pieces(parser_class, cuts):
    wire = b'$307200\r\n' + BIG + b'\r\n+OK\r\n$3\r\nabc\r\n'
    points = [0] + cuts + [len(wire)]
    pieces = [wire[a:b] for a, b in zip(points, points[1:])]
    server = ScriptedServer(None, pieces=pieces)
    connection = Connection(host='127.0.0.1', port=server.port,
                            socket_timeout=10, parser_class=parser_class)
    try:
        connection.send_command('GET', 'k')
        assert connection.read_response() == BIG
        assert connection.read_response() == b'OK'
        assert connection.read_response() == b'abc'
    finally:
        connection.disconnect()
        server.stop()


# A subscribe confirmation, then a message array cut right after an element
SUBSCRIBED_THEN_HALF_A_MESSAGE = (
    b'*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n'
    b'*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n')
REST_OF_THE_MESSAGE_AND_ANOTHER = (
    b'$307200\r\n' + BIG + b'\r\n*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n')


def test_big_bulk_that_continues_an_array_begun_by_can_read(parser_class):
    # can_read() parses what is buffered: here an array up to one of its
    # elements' end, leaving nothing buffered. The next read starts with
    # the next element, a big bulk: it completes that array, it is not a
    # reply of its own (and its length is not checked as a header's)
    go = threading.Event()
    server = ScriptedServer(None, pieces=[SUBSCRIBED_THEN_HALF_A_MESSAGE, go,
                                          REST_OF_THE_MESSAGE_AND_ANOTHER])
    connection = Connection(host='127.0.0.1', port=server.port,
                            socket_timeout=10, parser_class=parser_class)
    try:
        connection.send_command('SUBSCRIBE', 'ch')
        assert connection.read_response() == [b'subscribe', b'ch', 1]
        assert connection.can_read() is False
        go.set()
        assert connection.read_response() == [b'message', b'ch', BIG]
        assert connection.read_response() == [b'message', b'ch', b'hi']
    finally:
        connection.disconnect()
        server.stop()


def test_pubsub_big_message_after_a_fast_path_stopped_mid_array(
        parser_class):
    go = threading.Event()
    server = ScriptedServer(None, pieces=[SUBSCRIBED_THEN_HALF_A_MESSAGE, go,
                                          REST_OF_THE_MESSAGE_AND_ANOTHER])
    client = redis.StrictRedis(connection_pool=redis.ConnectionPool(
        host='127.0.0.1', port=server.port, parser_class=parser_class))
    p = client.pubsub()
    try:
        p.subscribe('ch')
        assert p.get_message(timeout=10)['type'] == 'subscribe'
        assert p.get_message() is None  # half a message: nothing yet
        go.set()
        message = p.get_message(timeout=10)
        assert (message['type'], message['data']) == ('message', BIG)
        assert p.get_message(timeout=10)['data'] == b'hi'
    finally:
        p.close()
        server.stop()


def test_server_closing_mid_reply(parser_class):
    server = ScriptedServer(b'$10\r\nabc', close=True)
    connection = Connection(host='127.0.0.1', port=server.port,
                            socket_timeout=5, parser_class=parser_class)
    try:
        connection.send_command('GET', 'k')
        with pytest.raises(ConnectionError):
            connection.read_response()
        assert connection._sock is None
    finally:
        connection.disconnect()
        server.stop()


def test_keyboard_interrupt_mid_read(conn):
    conn.connect()

    def interrupt(signum, frame):
        raise KeyboardInterrupt()

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        with pytest.raises(KeyboardInterrupt):
            roundtrip(conn, 'DEBUG', 'SLEEP', '0.5')
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert conn._sock is None
    # DEBUG SLEEP's late +OK must not be taken for this reply
    assert roundtrip(conn, 'ECHO', 'own reply') == b'own reply'


# ---- password server ----------------------------------------------------------

def test_auth_right_password(redis_password_server, parser_class):
    connection = connection_to(redis_password_server, parser_class)
    try:
        assert roundtrip(connection, 'ECHO', 'in') == b'in'
    finally:
        connection.disconnect()


def test_auth_wrong_password(redis_password_server, parser_class):
    connection = connection_to(redis_password_server, parser_class,
                               password='wrong')
    with pytest.raises(AuthenticationError):
        connection.connect()
    assert connection._sock is None


def test_no_password_for_password_server(redis_password_server,
                                         parser_class):
    connection = connection_to(redis_password_server, parser_class,
                               password=None)
    try:
        with pytest.raises(AuthenticationError):
            roundtrip(connection, 'GET', 'k')
    finally:
        connection.disconnect()


def test_password_for_server_without_one(clean_db, parser_class):
    if clean_db.password:
        pytest.skip('the --redis-url server has a password')
    connection = connection_to(clean_db, parser_class, password='unneeded')
    with pytest.raises(AuthenticationError):
        connection.connect()
    assert connection._sock is None


def test_client_with_password(redis_password_server, make_client):
    client = make_client(server=redis_password_server)
    assert client.set('secret', 'value') is True
    assert client.get('secret') == b'value'
    client.delete('secret')


# ---- unix socket ----------------------------------------------------------------

def test_unix_roundtrip_and_disconnect(redis_unix_server, parser_class):
    connection = UnixDomainSocketConnection(path=redis_unix_server.unix_path,
                                            parser_class=parser_class)
    try:
        assert roundtrip(connection, 'ECHO', 'unix') == b'unix'
        assert connection._sock.family == socket.AF_UNIX
        connection.disconnect()
        assert connection._sock is None
        assert roundtrip(connection, 'ECHO', 'again') == b'again'
    finally:
        connection.disconnect()


def test_unix_client(redis_unix_server, make_client):
    client = make_client(server=redis_unix_server, unix=True, db=1)
    try:
        assert client.set('unix-key', 'v') is True
        assert client.get('unix-key') == b'v'
        assert raw_command('GET', 'unix-key', db=1,
                           unix_path=redis_unix_server.unix_path) == b'v'
    finally:
        redis_unix_server.command('FLUSHALL')


def test_unix_client_from_constructor(redis_unix_server):
    client = redis.StrictRedis(unix_socket_path=redis_unix_server.unix_path)
    try:
        assert client.echo('ctor') == b'ctor'
        assert client.connection_pool.connection_class is \
            UnixDomainSocketConnection
    finally:
        client.connection_pool.disconnect()


def test_unix_missing_socket_names_the_path(parser_class, tmp_path):
    path = str(tmp_path / 'nothing.sock')
    connection = UnixDomainSocketConnection(path=path,
                                            parser_class=parser_class)
    with pytest.raises(ConnectionError) as info:
        connection.connect()
    assert path in str(info.value)


# ---- TLS ------------------------------------------------------------------------

def test_tls_required_with_right_ca(redis_tls_server, parser_class):
    connection = SSLConnection(host=redis_tls_server.host,
                               port=redis_tls_server.port,
                               ssl_cert_reqs='required',
                               ssl_ca_certs=redis_tls_server.ca_file,
                               parser_class=parser_class)
    try:
        assert roundtrip(connection, 'ECHO', 'secure') == b'secure'
        connection.disconnect()
        assert connection._sock is None
    finally:
        connection.disconnect()


def test_tls_required_with_wrong_ca(redis_tls_server, parser_class):
    connection = SSLConnection(host=redis_tls_server.host,
                               port=redis_tls_server.port,
                               ssl_cert_reqs='required',
                               ssl_ca_certs=redis_tls_server.wrong_ca_file,
                               parser_class=parser_class)
    with pytest.raises(ConnectionError):
        connection.connect()
    assert connection._sock is None


def test_tls_no_verification_accepts_any_ca(redis_tls_server, parser_class):
    connection = SSLConnection(host=redis_tls_server.host,
                               port=redis_tls_server.port,
                               ssl_cert_reqs='none',
                               ssl_ca_certs=redis_tls_server.wrong_ca_file,
                               parser_class=parser_class)
    try:
        assert roundtrip(connection, 'PING') == b'PONG'
    finally:
        connection.disconnect()


def test_tls_client(redis_tls_server, make_client):
    client = make_client(server=redis_tls_server)
    assert client.set('tls-key', 'v') is True
    assert client.get('tls-key') == b'v'
    client.delete('tls-key')


def test_plain_tcp_to_tls_port_fails(redis_tls_server, parser_class):
    connection = Connection(host=redis_tls_server.host,
                            port=redis_tls_server.port, socket_timeout=5,
                            parser_class=parser_class)
    try:
        with pytest.raises((ConnectionError, InvalidResponse)):
            roundtrip(connection, 'PING')
        assert connection._sock is None
    finally:
        connection.disconnect()


# ---- connect callbacks ------------------------------------------------------------

def test_connect_callbacks(conn):
    calls = []
    conn.register_connect_callback(lambda c: calls.append(('first', c)))
    conn.register_connect_callback(lambda c: calls.append(('second', c)))
    conn.connect()
    assert calls == [('first', conn), ('second', conn)]
    # already connected: no new calls
    conn.connect()
    assert len(calls) == 2
    conn.disconnect()
    conn.connect()
    assert len(calls) == 4
    conn.clear_connect_callbacks()
    conn.disconnect()
    conn.connect()
    assert len(calls) == 4


def test_connect_callback_runs_after_auth_and_select(redis_password_server,
                                                     parser_class):
    seen = []

    def callback(connection):
        # the connection is usable from the callback: AUTH and SELECT done
        seen.append(roundtrip(connection, 'CLIENT', 'INFO'))

    connection = connection_to(redis_password_server, parser_class, db=3)
    connection.register_connect_callback(callback)
    try:
        connection.connect()
        assert len(seen) == 1
        assert b' db=3 ' in seen[0]
        assert roundtrip(connection, 'ECHO', 'after') == b'after'
    finally:
        connection.disconnect()


def test_ipv6_loopback(make_server, parser_class):
    # getaddrinfo gives an AF_INET6 address for '::1'; a server bound to
    # both loopbacks answers there
    import socket as socket_module
    try:
        probe = socket_module.socket(socket_module.AF_INET6)
        probe.bind(('::1', 0))
        probe.close()
    except OSError:
        pytest.skip('this machine has no IPv6 loopback')
    server = make_server(extra_args=('--bind', '127.0.0.1', '::1'))
    client = redis.StrictRedis(connection_pool=redis.ConnectionPool(
        host='::1', port=server.port, parser_class=parser_class))
    try:
        assert client.set('six', 'v6') is True
        assert client.get('six') == b'v6'
        connection = client.connection_pool.get_connection('GET')
        assert connection._sock.family == socket_module.AF_INET6
        client.connection_pool.release(connection)
    finally:
        client.connection_pool.disconnect()
