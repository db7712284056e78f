"""The "Python socket floor": the least a Python client can do per command.

Not a client anyone should use: it answers the question "how fast could any
Python client go on this machine?"  Every call sends bytes packed once per
distinct command with one ``sendall`` and reads the reply with ``recv_into``
into a reusable buffer, then cuts the value out of it.  No pool, no packing per
call, no response callbacks, no error mapping beyond raising on an error reply.
What is left is the cost of the system calls, the kernel's TCP work and the
server, which are the same for every client: a real client can only add to it.

Used as the ``floor`` contestant for the rows where one call is one command
(GET, SET, INCR, GET of 1 MiB, the threads row); it never imports ``redis``.
"""
import socket
import threading


class FloorError(Exception):
    """The server answered with an error reply, or the stream was not understood."""


class FloorClient(object):
    """``get``/``set``/``incr`` over one socket per thread (as a pool would give)."""

    def __init__(self, host, port, read_size=65536):
        self.host = host
        self.port = port
        self.read_size = read_size
        self._local = threading.local()
        self._packed = {}

    def __repr__(self):
        return 'FloorClient(host=%r, port=%r)' % (self.host, self.port)

    def _connect(self):
        sock = socket.create_connection((self.host, self.port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        local = self._local
        local.sock = sock
        local.buf = bytearray(self.read_size)
        local.view = memoryview(local.buf)
        return local

    def _pack(self, args):
        out = [b'*%d\r\n' % len(args)]
        for arg in args:
            if isinstance(arg, str):
                arg = arg.encode()
            out.append(b'$%d\r\n%s\r\n' % (len(arg), arg))
        packed = self._packed[args] = b''.join(out)
        return packed

    def _call(self, args):
        local = self._local
        if not hasattr(local, 'sock'):
            local = self._connect()
        packed = self._packed.get(args) or self._pack(args)
        sock = local.sock
        buf = local.buf
        sock.sendall(packed)
        n = sock.recv_into(buf)
        end = buf.find(b'\r\n', 0, n)
        while end < 0:  # a header split over reads: only on a very slow link
            got = sock.recv_into(local.view[n:])
            if not got:
                raise FloorError('connection closed')
            n += got
            end = buf.find(b'\r\n', 0, n)
        kind = buf[0]
        if kind == 36:  # $ bulk string
            length = int(buf[1:end])
            if length < 0:
                return None
            start = end + 2
            stop = start + length
            if stop + 2 <= n:
                return bytes(local.view[start:stop])
            return self._read_rest(sock, bytes(local.view[start:n]), stop + 2 - n)
        if kind == 43:  # + simple string
            return buf[1:end] == b'OK' or bytes(buf[1:end])
        if kind == 58:  # : integer
            return int(buf[1:end])
        raise FloorError(bytes(buf[:end]).decode(errors='replace'))

    def _read_rest(self, sock, head, missing):
        chunks = [head]
        recv = sock.recv
        size = self.read_size
        while missing > 0:
            chunk = recv(size)
            if not chunk:
                raise FloorError('connection closed')
            chunks.append(chunk)
            missing -= len(chunk)
        if missing < 0:
            raise FloorError('more bytes than one reply: the floor sends one command at a time')
        # drop the CRLF before joining, so the value is copied once
        last = chunks[-1]
        if len(last) >= 2:
            chunks[-1] = last[:-2]
        else:
            chunks[-1] = b''
            chunks[-2] = chunks[-2][:-1]
        return b''.join(chunks)

    def get(self, key):
        return self._call(('GET', key))

    def set(self, key, value):
        return self._call(('SET', key, value))

    def incr(self, key):
        return self._call(('INCR', key))
