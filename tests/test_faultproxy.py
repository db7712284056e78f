"""Tests of the fault tools themselves, against a real redis-server.

A tiny RESP client lives here so these tests do not depend on the client
library they are meant to test later.
"""
import select
import socket
import time

import pytest

from faultcontrol import (BlackholeListener, ServerSleep, debug_sleep,
                          kill_server, pause_clients, restart_server)
from faultproxy import FaultProxy, require_loopback, wait_until
import servers
from rawresp import pack_command
from servers import RedisServer


# ---- a raw RESP client ------------------------------------------------------

class RawClient(servers.RawConnection):
    """Just enough RESP to check what went through the proxy: statuses stay
    bytes and error replies come back as values."""

    def __init__(self, host, port, timeout=2.0):
        super(RawClient, self).__init__(host, port, timeout=timeout)

    def _status(self, text):
        return text

    def _error(self, text):
        return Exception(text.decode())

    def send(self, *args):
        self.sock.sendall(pack_command(args))

    def read_until_closed(self):
        """Every byte the peer sends before closing."""
        while True:
            data = self.sock.recv(65536)
            if not data:
                out, self.buf = self.buf, b''
                return out
            self.buf += data

    def has_data(self, wait):
        if self.buf:
            return True
        return bool(select.select([self.sock], [], [], wait)[0])

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


# ---- fixtures ----------------------------------------------------------------

@pytest.fixture(scope='module')
def server():
    # A server of our own: these tests kill, pause and put it to sleep.
    with RedisServer() as srv:
        yield srv


@pytest.fixture
def proxy(server):
    with FaultProxy(server.host, server.port) as p:
        yield p


@pytest.fixture
def direct(server):
    with RawClient(server.host, server.port) as c:
        c.command('FLUSHALL')
        yield c


def connect(proxy, timeout=2.0):
    return RawClient(proxy.host, proxy.port, timeout)


# ---- pass-through -----------------------------------------------------------

def test_passthrough_ping(proxy):
    with connect(proxy) as c:
        assert c.command('PING') == b'PONG'
        assert c.command('ECHO', b'x' * 100000) == b'x' * 100000
        assert proxy.accepted == 1
        assert len(proxy.connections) == 1
    assert wait_until(lambda: proxy.live == 0)
    stats = proxy.stats()
    assert stats['bytes_down'] == len(b'+PONG\r\n$100000\r\n') + 100002
    assert stats['bytes_up'] > 100000
    assert (stats['accepted'], stats['live'], stats['closed']) == (1, 0, 1)
    assert proxy.closed_connections[0].close_reason == 'client closed'


def test_repr_and_url(proxy):
    assert proxy.url == 'redis://127.0.0.1:%d/0' % proxy.port
    assert 'FaultProxy' in repr(proxy)
    with connect(proxy) as c:
        c.command('PING')
        assert 'up=14 down=7' in repr(proxy.connections[0])


def test_only_loopback_targets():
    with pytest.raises(ValueError):
        FaultProxy('10.1.2.3', 6379)
    with pytest.raises(ValueError):
        require_loopback('192.0.2.1')
    assert require_loopback('localhost') == 'localhost'


def test_stop_closes_connections(server):
    p = FaultProxy(server.host, server.port).start()
    with connect(p) as c:
        assert c.command('PING') == b'PONG'
        p.stop()
        assert c.read_until_closed() == b''
    with pytest.raises(OSError):
        connect(p, timeout=0.5)


# ---- stall / delay ----------------------------------------------------------

def test_stall_up_holds_commands(proxy, direct):
    with connect(proxy) as c:
        proxy.stall('up')
        c.send('INCR', 'k')
        assert not c.has_data(0.2)
        assert direct.command('GET', 'k') is None  # never reached the server
        proxy.release('up')
        assert c.read_reply() == 1


def test_stall_down_holds_replies(proxy, direct):
    with connect(proxy) as c:
        proxy.stall('down')
        c.send('INCR', 'k')
        assert wait_until(lambda: direct.command('GET', 'k') == b'1')
        assert not c.has_data(0.2)
        proxy.release('down')
        assert c.read_reply() == 1


def test_delay(proxy):
    with connect(proxy) as c:
        proxy.delay('down', 0.3)
        start = time.monotonic()
        assert c.command('PING') == b'PONG'
        assert time.monotonic() - start >= 0.3
        proxy.delay('down', 0)
        assert c.command('PING') == b'PONG'


def test_delay_up(proxy, direct):
    with connect(proxy) as c:
        proxy.delay('up', 0.5)
        start = time.monotonic()
        c.send('INCR', 'k')
        assert direct.command('GET', 'k') is None  # still held by the proxy
        assert c.read_reply() == 1
        assert time.monotonic() - start >= 0.5


def test_bad_direction(proxy):
    with pytest.raises(ValueError):
        proxy.stall('sideways')


# ---- cuts and drops ---------------------------------------------------------

def test_cut_down_after_n_bytes(proxy):
    with connect(proxy) as c:
        proxy.cut_after('down', 3)
        c.send('PING')
        assert c.read_until_closed() == b'+PO'
    assert proxy.closed_connections[-1].close_reason == 'cut down'
    with connect(proxy) as c:  # one-shot: the next connection is healthy
        assert c.command('PING') == b'PONG'


def test_cut_up_zero_never_reaches_server(proxy, direct):
    with connect(proxy) as c:
        assert c.command('PING') == b'PONG'
        proxy.cut_after('up', 0)
        c.send('INCR', 'k')
        assert c.read_until_closed() == b''
    assert direct.command('GET', 'k') is None


def test_drop_all(proxy):
    clients = [connect(proxy) for _ in range(3)]
    for c in clients:
        assert c.command('PING') == b'PONG'
    assert proxy.live == 3
    proxy.drop_all()
    assert proxy.live == 0
    for c in clients:
        assert c.read_until_closed() == b''
        c.close()


def test_drop_all_reset(proxy):
    with connect(proxy) as c:
        assert c.command('PING') == b'PONG'
        proxy.drop_all(reset=True)
        with pytest.raises(ConnectionResetError):
            c.read_until_closed()


def test_reject_new_connections(proxy):
    with connect(proxy) as old:
        assert old.command('PING') == b'PONG'
        proxy.reject()
        with connect(proxy) as c:
            assert c.read_until_closed() == b''
        assert old.command('PING') == b'PONG'  # live ones are untouched
    proxy.reject(False)
    with connect(proxy) as c:
        assert c.command('PING') == b'PONG'


# ---- black holes ------------------------------------------------------------

def test_blackhole_listener_connect_hangs():
    with BlackholeListener() as hole:
        start = time.monotonic()
        with pytest.raises(socket.timeout):
            socket.create_connection(hole.address, timeout=0.3)
        assert time.monotonic() - start >= 0.3
        assert 'BlackholeListener' in repr(hole)


def test_proxy_blackhole_mode(proxy, direct):
    with connect(proxy) as healthy:
        proxy.blackhole()
        with connect(proxy, timeout=0.3) as c:
            c.send('INCR', 'k')
            with pytest.raises(socket.timeout):
                c.read_reply()
            assert any(x.blackholed for x in proxy.connections)
            assert healthy.command('PING') == b'PONG'
            proxy.drop_all()
            c.sock.settimeout(2)
            assert c.read_until_closed() == b''
    assert direct.command('GET', 'k') is None
    proxy.passthrough()
    with connect(proxy) as c:
        assert c.command('PING') == b'PONG'


def test_upstream_connect_timeout():
    with BlackholeListener() as hole:
        with FaultProxy(hole.host, hole.port, connect_timeout=0.3) as p:
            with connect(p) as c:
                c.send('PING')
                assert c.read_until_closed() == b''
            assert p.upstream_failures == 1
            assert p.closed_connections[0].close_reason == \
                'upstream connect timeout'


# ---- garbage ----------------------------------------------------------------

def test_garbage_keeps_connection(proxy):
    with connect(proxy) as c:
        proxy.garbage(b'!garbage\r\n')
        c.send('PING')
        assert c._line() == b'!garbage'
        assert c.command('PING') == b'PONG'


def test_garbage_then_close(proxy):
    with connect(proxy) as c:
        proxy.garbage(b'$999999999999\r\n', close=True)
        c.send('PING')
        assert c.read_until_closed() == b'$999999999999\r\n'


def test_truncated_reply(proxy):
    with connect(proxy) as c:
        proxy.garbage(b'$5\r\nhel', close=True)
        c.send('GET', 'k')
        with pytest.raises(ConnectionError):
            c.read_reply()


# ---- server controls --------------------------------------------------------

def test_pause_clients(server, proxy):
    with connect(proxy) as c:
        assert pause_clients(server.host, server.port, 300) == b'OK'
        start = time.monotonic()
        assert c.command('PING') == b'PONG'
        assert time.monotonic() - start >= 0.2


def test_debug_sleep(server, proxy):
    with connect(proxy) as c:
        sleep = debug_sleep(server.host, server.port, 0.5)
        assert isinstance(sleep, ServerSleep)
        c.sock.settimeout(0.1)
        c.send('PING')
        with pytest.raises(socket.timeout):
            c.read_reply()
        c.sock.settimeout(3)
        assert c.read_reply() == b'PONG'
        assert sleep.wait() == b'OK'


def test_debug_sleep_needs_debug_enabled():
    with RedisServer(extra_args=('--enable-debug-command', 'no')) as srv:
        with pytest.raises(RuntimeError, match='DEBUG'):
            debug_sleep(srv.host, srv.port, 0.5)


def _kill_and_restart(srv, kill):
    with FaultProxy(srv.host, srv.port) as p:
        with connect(p) as c:
            assert c.command('PING') == b'PONG'
            kill()
            assert c.read_until_closed() == b''
        with connect(p) as c:  # upstream refuses: the proxy hangs up
            assert c.read_until_closed() == b''
        assert p.upstream_failures == 1
        restart_server(srv)
        with connect(p) as c:
            assert c.command('PING') == b'PONG'


def test_kill_server_handle_and_restart():
    with RedisServer() as srv:
        _kill_and_restart(srv, lambda: kill_server(srv))


def test_kill_server_pid_and_restart():
    with RedisServer() as srv:
        _kill_and_restart(srv, lambda: kill_server(srv.pid))


def test_restart_needs_a_server():
    with pytest.raises(TypeError):
        restart_server(12345)
