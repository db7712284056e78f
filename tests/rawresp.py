"""Just enough RESP to control a redis-server from the tests: pack a
command, read one reply, INFO as a dict. Never the client under test, so
a broken client cannot make the harness lie."""
import socket

HOST = '127.0.0.1'


class RawReplyError(Exception):
    "An error reply received by raw_command"


def pack_command(args):
    out = [b'*%d\r\n' % len(args)]
    for arg in args:
        if not isinstance(arg, bytes):
            arg = str(arg).encode()
        out.append(b'$%d\r\n%s\r\n' % (len(arg), arg))
    return b''.join(out)


class RawConnection(object):
    """Just enough RESP to control a server: send a command, read one reply
    (bulk strings come back as bytes, errors raise RawReplyError)."""

    def __init__(self, host=HOST, port=None, unix_path=None,
                 ssl_context=None, timeout=5.0):
        if unix_path:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            try:
                sock.connect(unix_path)
            except BaseException:
                sock.close()
                raise
        else:
            sock = socket.create_connection((host, port), timeout)
            if ssl_context is not None:
                try:
                    sock = ssl_context.wrap_socket(sock, server_hostname=host)
                except BaseException:
                    sock.close()
                    raise
        self.sock = sock
        self.buf = b''

    def __repr__(self):
        return 'RawConnection<%r>' % (self.sock,)

    def close(self):
        self.sock.close()

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError('connection closed by the server')
        self.buf += data

    def _line(self):
        while b'\r\n' not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b'\r\n', 1)
        return line

    def read_reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b'+':
            return self._status(rest)
        if kind == b'-':
            return self._error(rest)
        if kind == b':':
            return int(rest)
        if kind == b'$':
            size = int(rest)
            if size < 0:
                return None
            while len(self.buf) < size + 2:
                self._fill()
            data, self.buf = self.buf[:size], self.buf[size + 2:]
            return data
        if kind == b'*':
            size = int(rest)
            if size < 0:
                return None
            return [self.read_reply() for _ in range(size)]
        raise ValueError('not a RESP reply: %r' % line)

    def _status(self, text):
        return text.decode()

    def _error(self, text):
        raise RawReplyError(text.decode())

    def command(self, *args):
        self.sock.sendall(pack_command(args))
        return self.read_reply()


def raw_command(*args, **kwargs):
    """Run one command on a fresh raw connection. Keyword arguments:
    host, port, unix_path, ssl_context, timeout, password, db."""
    password = kwargs.pop('password', None)
    db = kwargs.pop('db', None)
    conn = RawConnection(**kwargs)
    try:
        if password:
            conn.command('AUTH', password)
        if db:
            conn.command('SELECT', db)
        return conn.command(*args)
    finally:
        conn.close()


def parse_info(data):
    "INFO's reply as a dict of str"
    info = {}
    for line in data.decode().splitlines():
        if line and not line.startswith('#') and ':' in line:
            key, value = line.split(':', 1)
            info[key] = value
    return info
