"""Faults that need no proxy: a listener where connect() hangs, and raw
controls of a redis-server (pause, sleep, kill, restart).

Like faultproxy, everything here talks to loopback addresses only.
"""
import os
import select
import signal
import socket
import time

from faultproxy import require_loopback, wait_until
from rawresp import pack_command


class BlackholeListener(object):
    """A loopback port where connect() hangs until the client times out.

    The socket listens with backlog 0 and never accepts; start() connects
    filler sockets until the accept queue is full (one on Linux).  From then
    on Linux drops every new SYN (tcp_abort_on_overflow=0 is the default),
    so a connect() neither succeeds nor is refused: it waits for its timeout.
    start() proves this by connecting until one attempt hangs.
    """

    def __init__(self, host='127.0.0.1', max_fillers=16):
        self.host = require_loopback(host)
        self.port = None
        self.max_fillers = max_fillers
        self._sock = None
        self._fillers = []

    @property
    def address(self):
        return (self.host, self.port)

    def start(self):
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind((self.host, 0))
        self._sock.listen(0)
        self.port = self._sock.getsockname()[1]
        for _ in range(self.max_fillers):
            probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            probe.setblocking(False)
            probe.connect_ex(self.address)
            _, writable, _ = select.select([], [probe], [], 0.3)
            if not writable:
                probe.close()  # this one hung: the queue is full
                return self
            self._fillers.append(probe)
        self.stop()
        raise RuntimeError('connect() to a full accept queue did not hang '
                           'after %d connections' % self.max_fillers)

    def stop(self):
        for sock in self._fillers:
            sock.close()
        self._fillers = []
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def __repr__(self):
        return '<BlackholeListener %s:%s fillers=%d>' % (
            self.host, self.port, len(self._fillers))


# ---- server controls over raw sockets --------------------------------------

def _read_line(sock):
    """Read one reply line; the controls only need status or error replies."""
    data = b''
    while not data.endswith(b'\r\n'):
        piece = sock.recv(1)
        if not piece:
            raise ConnectionError('server closed the control connection')
        data += piece
    if data.startswith(b'-'):
        raise RuntimeError('server error: %s' % data[1:-2].decode())
    return data[1:-2]


def _control(host, port, password=None, timeout=5.0):
    sock = socket.create_connection((require_loopback(host), port), timeout)
    if password is not None:
        sock.sendall(pack_command(('AUTH', password)))
        _read_line(sock)
    return sock


def pause_clients(host, port, ms, password=None):
    """CLIENT PAUSE every client for `ms` milliseconds (from a raw socket)."""
    sock = _control(host, port, password)
    try:
        sock.sendall(pack_command(('CLIENT', 'PAUSE', int(ms))))
        return _read_line(sock)
    finally:
        sock.close()


class ServerSleep(object):
    """A DEBUG SLEEP in progress, sent on its own connection."""

    def __init__(self, sock, seconds):
        self._sock = sock
        self.seconds = seconds
        self.reply = None

    def wait(self, timeout=None):
        """Wait for the sleep to end; returns the server's reply."""
        if self._sock is not None:
            self._sock.settimeout(timeout if timeout is not None
                                  else self.seconds + 5.0)
            try:
                self.reply = _read_line(self._sock)
            finally:
                self.close()
        return self.reply

    def close(self):
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.wait()

    def __repr__(self):
        return '<ServerSleep %ss %s>' % (
            self.seconds, 'done' if self._sock is None else 'pending')


def debug_sleep(host, port, seconds, password=None):
    """Block the server for `seconds` with DEBUG SLEEP; return when it sleeps.

    The sleep is sent on its own connection, so the test's client is not
    involved.  Returning only once a second connection's PING goes
    unanswered means the test's next command cannot overtake the sleep.
    The server must run with enable-debug-command yes (or local).
    """
    sleeper = _control(host, port, password)
    probe = _control(host, port, password)
    try:
        sleeper.sendall(pack_command(('DEBUG', 'SLEEP', seconds)))
        window = min(0.2, max(seconds / 4.0, 0.01))
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            probe.sendall(pack_command(('PING',)))
            ready, _, _ = select.select([sleeper, probe], [], [], window)
            if sleeper in ready:
                # An error (DEBUG disabled) or a sleep already over.
                done = ServerSleep(sleeper, seconds)
                done.wait()
                return done
            if not ready:
                return ServerSleep(sleeper, seconds)
            _read_line(probe)
        raise RuntimeError('server never started sleeping')
    except BaseException:
        sleeper.close()
        raise
    finally:
        probe.close()


def kill_server(server):
    """SIGKILL a RedisServer (via .kill()) or a pid, and wait until gone."""
    if hasattr(server, 'kill'):
        return server.kill()
    pid = int(server)
    os.kill(pid, signal.SIGKILL)

    def gone():
        try:
            return os.waitpid(pid, os.WNOHANG)[0] == pid
        except ChildProcessError:
            # Not our child: it is gone once signal 0 fails.
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return True
            return False
    if not wait_until(gone, timeout=5.0):
        raise RuntimeError('pid %d survived SIGKILL' % pid)


def restart_server(server):
    """Restart a tests/servers.py RedisServer on the same port."""
    if not hasattr(server, 'restart'):
        raise TypeError('restart_server needs a RedisServer, got %r'
                        % (server,))
    return server.restart()
