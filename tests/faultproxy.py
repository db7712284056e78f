"""Fault injection for reliability tests: a TCP proxy that misbehaves on
demand, a listener that makes connect() hang, and raw server controls.

Everything here runs in-process, binds to loopback only, and talks only to
loopback addresses, so a test can never reach a machine it did not start.

Typical use (the listener and server controls are in faultcontrol)::

    with FaultProxy(server.host, server.port) as proxy:
        client = StrictRedis(host=proxy.host, port=proxy.port)
        proxy.stall('down')        # replies are held from now on
        ...
        proxy.release('down')

Directions: 'up' is client -> server, 'down' is server -> client.
Proxy-wide settings (stall, delay, cut_after, garbage) apply to every live
connection and to new ones; cut_after and garbage are one-shot and are used
up by whichever connection first forwards bytes in that direction.
"""
import collections
import errno
import ipaddress
import selectors
import socket
import struct
import threading
import time

UP = 'up'
DOWN = 'down'
DIRECTIONS = (UP, DOWN)

# A select() cap so the loop notices stop() even if a wake-up is lost.
_POLL_CAP = 0.1
_CALL_TIMEOUT = 5.0


def require_loopback(host):
    """Raise ValueError unless every address `host` resolves to is loopback."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    for info in infos:
        addr = info[4][0].split('%', 1)[0]
        if not ipaddress.ip_address(addr).is_loopback:
            raise ValueError('fault tools only target loopback, not %r' % host)
    return host


def _check_direction(direction):
    if direction not in DIRECTIONS:
        raise ValueError('direction must be %r or %r, not %r'
                         % (UP, DOWN, direction))
    return direction


def wait_until(predicate, timeout=2.0, interval=0.005):
    """Poll `predicate` until it is true; return False on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


class _Chunk(object):
    """Bytes read from one side, waiting to be written to the other."""
    __slots__ = ('due', 'data', 'started', 'close_after')

    def __init__(self, due, data):
        self.due = due
        self.data = bytearray(data)
        self.started = False
        self.close_after = False

    def __repr__(self):
        return '_Chunk<%d bytes,due=%.3f,close_after=%s>' % (
            len(self.data), self.due, self.close_after)


class ProxyConnection(object):
    """One client connection and (unless black-holed) its upstream socket."""

    def __init__(self, number, client, client_addr, upstream, blackholed):
        self.number = number
        self.client = client
        self.client_addr = client_addr
        self.upstream = upstream
        self.blackholed = blackholed
        self.connecting = upstream is not None
        self.connect_deadline = None
        self.pending = {UP: collections.deque(), DOWN: collections.deque()}
        self.eof = {UP: False, DOWN: False}
        self.bytes = {UP: 0, DOWN: 0}
        self.discarded = 0
        self.blocked = set()
        self.closed = False
        self.close_reason = None

    def target(self, direction):
        return self.upstream if direction == UP else self.client

    def __repr__(self):
        state = 'closed(%s)' % self.close_reason if self.closed else 'open'
        kind = ' blackholed' if self.blackholed else ''
        return '<ProxyConnection #%d%s from %s:%s %s up=%d down=%d>' % (
            self.number, kind, self.client_addr[0], self.client_addr[1],
            state, self.bytes[UP], self.bytes[DOWN])


class FaultProxy(object):
    """A TCP proxy to a loopback server whose faults the test switches."""

    def __init__(self, upstream_host, upstream_port, connect_timeout=2.0):
        self.upstream_host = require_loopback(upstream_host)
        self.upstream_port = int(upstream_port)
        self.connect_timeout = connect_timeout
        self.host = '127.0.0.1'
        self.port = None
        self.accepted = 0
        self.upstream_failures = 0
        self.bytes_up = 0
        self.bytes_down = 0
        self.closed_connections = []
        self._conns = []
        self._new_mode = 'pass'
        self._stalled = {UP: False, DOWN: False}
        self._delay = {UP: 0.0, DOWN: 0.0}
        self._cut = {UP: None, DOWN: None}
        self._garbage = None
        self._calls = collections.deque()
        self._stopping = False
        self._crash = None
        self._thread = None
        self._listener = None
        self._sel = None
        self._wake_r = self._wake_w = None

    # ---- lifecycle -------------------------------------------------------

    @property
    def url(self):
        return 'redis://%s:%d/0' % (self.host, self.port)

    def start(self):
        if self._thread is not None:
            raise RuntimeError('proxy already started')
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((self.host, 0))
        self._listener.listen(64)
        self._listener.setblocking(False)
        self.port = self._listener.getsockname()[1]
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._sel = selectors.DefaultSelector()
        self._sel.register(self._listener, selectors.EVENT_READ, 'accept')
        self._sel.register(self._wake_r, selectors.EVENT_READ, 'wake')
        self._thread = threading.Thread(
            target=self._run, name='FaultProxy:%d' % self.port, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._thread is None:
            return
        self._stopping = True
        self._wake()
        self._thread.join(_CALL_TIMEOUT)
        self._thread = None
        if self._crash is not None:
            raise RuntimeError('fault proxy loop crashed') from self._crash

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def __repr__(self):
        return ('<FaultProxy 127.0.0.1:%s -> %s:%d live=%d accepted=%d '
                'new=%s stalled=%r delay=%r cut=%r>' % (
                    self.port, self.upstream_host, self.upstream_port,
                    len(self._conns), self.accepted, self._new_mode,
                    self._stalled, self._delay, self._cut))

    # ---- controls (each runs inside the loop thread, so no locks) -------

    def passthrough(self):
        """Clear every fault: no stall, delay, cut, garbage or black hole."""
        def apply():
            self._new_mode = 'pass'
            for d in DIRECTIONS:
                self._stalled[d] = False
                self._delay[d] = 0.0
                self._cut[d] = None
            self._garbage = None
        self._call(apply)

    def stall(self, direction):
        """Hold every byte going `direction` until release(direction)."""
        self._call(self._stalled.__setitem__, _check_direction(direction),
                   True)

    def release(self, direction):
        """Stop stalling `direction` and deliver what was held."""
        self._call(self._stalled.__setitem__, _check_direction(direction),
                   False)

    def delay(self, direction, seconds):
        """Deliver each chunk read from now on `seconds` after it arrived."""
        self._call(self._delay.__setitem__, _check_direction(direction),
                   float(seconds))

    def cut_after(self, direction, nbytes):
        """Close the connection once `nbytes` more bytes went `direction`.

        With 0 the connection is closed when its next byte in that
        direction would be forwarded (that byte is not forwarded).
        """
        if nbytes is not None and nbytes < 0:
            raise ValueError('nbytes must be >= 0')
        self._call(self._cut.__setitem__, _check_direction(direction), nbytes)

    def garbage(self, data, close=False):
        """Replace the server's next reply chunk with `data`.

        The whole next chunk read from the server (for a small reply: the
        whole reply) is dropped and `data` is sent in its place; with
        close=True the connection is closed right after `data` is sent.
        """
        self._call(setattr, self, '_garbage', (bytes(data), bool(close)))

    def blackhole(self, on=True):
        """New connections are accepted but never answered nor forwarded."""
        self._call(setattr, self, '_new_mode', 'blackhole' if on else 'pass')

    def reject(self, on=True):
        """New connections are accepted and closed at once."""
        self._call(setattr, self, '_new_mode', 'reject' if on else 'pass')

    def drop_all(self, reset=False):
        """Close every live connection now; with reset=True send an RST."""
        def apply():
            for conn in list(self._conns):
                self._close(conn, 'dropped', reset=reset)
        self._call(apply)

    @property
    def connections(self):
        """A snapshot of the live connections."""
        return self._call(list, self._conns)

    @property
    def live(self):
        return len(self._conns)

    def stats(self):
        """Consistent counters, read between two loop iterations."""
        return self._call(lambda: {
            'accepted': self.accepted, 'live': len(self._conns),
            'closed': len(self.closed_connections),
            'upstream_failures': self.upstream_failures,
            'bytes_up': self.bytes_up, 'bytes_down': self.bytes_down})

    # ---- loop ------------------------------------------------------------

    def _wake(self):
        try:
            self._wake_w.send(b'x')
        except (BlockingIOError, OSError):
            pass  # a wake-up is already queued, or we are shutting down

    def _call(self, func, *args):
        """Run func in the loop thread and return its result."""
        thread = self._thread
        if thread is None or not thread.is_alive() \
                or thread is threading.current_thread():
            return func(*args)
        done = threading.Event()
        box = {}

        def call():
            try:
                box['value'] = func(*args)
            except BaseException as exc:
                box['error'] = exc
            done.set()
        self._calls.append(call)
        self._wake()
        if not done.wait(_CALL_TIMEOUT):
            raise RuntimeError('fault proxy loop did not answer') \
                from self._crash
        if 'error' in box:
            raise box['error']
        return box.get('value')

    def _run(self):
        try:
            while not self._stopping:
                timeout = self._next_timeout()
                for key, events in self._sel.select(timeout):
                    self._dispatch(key, events)
                while self._calls:
                    self._calls.popleft()()
                self._flush_all()
        except BaseException as exc:
            self._crash = exc  # re-raised by stop(), so a bug cannot hide
        finally:
            for conn in list(self._conns):
                self._close(conn, 'proxy stopped')
            while self._calls:
                self._calls.popleft()()
            self._sel.close()
            for sock in (self._listener, self._wake_r, self._wake_w):
                sock.close()

    def _next_timeout(self):
        now = time.monotonic()
        timeout = _POLL_CAP
        for conn in self._conns:
            for d in DIRECTIONS:
                queue = conn.pending[d]
                if queue and not self._stalled[d] and not conn.connecting:
                    timeout = min(timeout, max(0.0, queue[0].due - now))
        return timeout

    def _dispatch(self, key, events):
        if key.data == 'accept':
            self._accept()
        elif key.data == 'wake':
            try:
                while self._wake_r.recv(4096):
                    pass
            except BlockingIOError:
                pass
        else:
            conn = key.data
            if conn.closed:
                return
            sock = key.fileobj
            if conn.connecting and sock is conn.upstream \
                    and events & selectors.EVENT_WRITE:
                self._finish_connect(conn)
            if events & selectors.EVENT_READ and not conn.closed:
                self._read(conn, sock)

    def _accept(self):
        while True:
            try:
                client, addr = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            self.accepted += 1
            if self._new_mode == 'reject':
                client.close()
                continue
            client.setblocking(False)
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            upstream = None
            if self._new_mode != 'blackhole':
                upstream = self._start_connect()
                if upstream is None:
                    self.upstream_failures += 1
                    client.close()
                    continue
            conn = ProxyConnection(self.accepted, client, addr, upstream,
                                   upstream is None)
            conn.connect_deadline = time.monotonic() + self.connect_timeout
            self._conns.append(conn)
            self._sel.register(client, selectors.EVENT_READ, conn)
            if upstream is not None:
                self._sel.register(upstream, selectors.EVENT_WRITE, conn)

    def _start_connect(self):
        try:
            family, kind, proto, _, addr = socket.getaddrinfo(
                self.upstream_host, self.upstream_port,
                type=socket.SOCK_STREAM)[0]
            sock = socket.socket(family, kind, proto)
        except OSError:
            return None
        sock.setblocking(False)
        err = sock.connect_ex(addr)
        if err not in (0, errno.EINPROGRESS):
            sock.close()
            return None
        return sock

    def _finish_connect(self, conn):
        err = conn.upstream.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            self.upstream_failures += 1
            self._close(conn, 'upstream refused')
            return
        conn.connecting = False
        conn.upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._update_interest(conn, conn.upstream)

    def _read(self, conn, sock):
        try:
            data = sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b''
        if conn.blackholed:
            if data:
                conn.discarded += len(data)
            else:
                self._close(conn, 'client closed')
            return
        direction = UP if sock is conn.client else DOWN
        if not data:
            conn.eof[direction] = True
            self._update_interest(conn, sock)
            return
        due = time.monotonic() + self._delay[direction]
        conn.pending[direction].append(_Chunk(due, data))

    def _update_interest(self, conn, sock):
        """Read until EOF; write only while output is blocked or connecting."""
        reading = UP if sock is conn.client else DOWN
        if sock is conn.upstream and conn.connecting:
            events = selectors.EVENT_WRITE
        else:
            events = (0 if conn.eof[reading] else selectors.EVENT_READ) | \
                (selectors.EVENT_WRITE if sock in conn.blocked else 0)
        key = self._sel.get_map().get(sock)
        if key is None:
            if events:
                self._sel.register(sock, events, conn)
        elif events == 0:
            self._sel.unregister(sock)
        elif key.events != events:
            self._sel.modify(sock, events, conn)

    def _flush_all(self):
        now = time.monotonic()
        for conn in list(self._conns):
            if conn.connecting:
                if now > conn.connect_deadline:
                    self.upstream_failures += 1
                    self._close(conn, 'upstream connect timeout')
                continue
            if conn.blackholed:
                continue
            for d in DIRECTIONS:
                if not conn.closed:
                    self._flush(conn, d, now)

    def _flush(self, conn, direction, now):
        queue = conn.pending[direction]
        target = conn.target(direction)
        if self._stalled[direction]:
            return
        while queue and queue[0].due <= now:
            chunk = queue[0]
            if direction == DOWN and self._garbage is not None \
                    and not chunk.started:
                chunk.data = bytearray(self._garbage[0])
                chunk.close_after = self._garbage[1]
                self._garbage = None
            budget = self._cut[direction]
            limit = len(chunk.data) if budget is None \
                else min(len(chunk.data), budget)
            if limit == 0 and chunk.data:
                self._cut[direction] = None
                self._close(conn, 'cut %s' % direction)
                return
            try:
                sent = target.send(chunk.data[:limit]) if limit else 0
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:
                self._close(conn, 'send failed %s' % direction)
                return
            chunk.started = True
            del chunk.data[:sent]
            conn.bytes[direction] += sent
            if direction == UP:
                self.bytes_up += sent
            else:
                self.bytes_down += sent
            if budget is not None:
                self._cut[direction] = budget - sent
                if budget - sent == 0:
                    self._cut[direction] = None
                    self._close(conn, 'cut %s' % direction)
                    return
            if chunk.data:
                # The kernel buffer is full: come back when it drains.
                conn.blocked.add(target)
                self._update_interest(conn, target)
                return
            queue.popleft()
            if chunk.close_after:
                self._close(conn, 'garbage sent')
                return
        if target in conn.blocked:
            conn.blocked.discard(target)
            self._update_interest(conn, target)
        if conn.eof[direction] and not queue:
            self._close(conn, '%s closed' % (
                'client' if direction == UP else 'server'))

    def _close(self, conn, reason, reset=False):
        if conn.closed:
            return
        conn.closed = True
        conn.close_reason = reason
        # Bookkeeping first: once a peer sees EOF, the counters must agree.
        self._conns.remove(conn)
        self.closed_connections.append(conn)
        for sock in (conn.client, conn.upstream):
            if sock is None:
                continue
            if sock in self._sel.get_map():
                self._sel.unregister(sock)
            if reset:
                # Linger 0 turns close() into an RST instead of a FIN.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                struct.pack('ii', 1, 0))
            sock.close()
