"""The benchmark's own redis-server, a raw RESP connection for data set-up, and redis-benchmark.

Nothing here imports ``redis``: the harness must not depend on any contestant.
"""
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

from workloads import encode_command


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def pin_to(cpus):
    """A preexec_fn that binds the child process to ``cpus`` (None: leave it alone)."""
    if not cpus or not hasattr(os, 'sched_setaffinity'):
        return None
    cpus = set(cpus)
    return lambda: os.sched_setaffinity(0, cpus)


def plan_cpus(mode):
    """(server CPUs, client CPUs) for a pinning mode: 'same', 'split' or 'none'."""
    if mode == 'none' or not hasattr(os, 'sched_getaffinity'):
        return None, None
    allowed = sorted(os.sched_getaffinity(0))
    server_cpu = allowed[-1]
    if mode == 'split' and len(allowed) > 1:
        return [server_cpu], [allowed[-2]]
    return [server_cpu], [server_cpu]


def find_binary(name, explicit=None):
    path = explicit or shutil.which(name) or os.path.join('/usr/bin', name)
    if not os.path.exists(path):
        raise RuntimeError('%s not found (give its path with --%s)' % (name, name))
    return path


class RawConnection(object):
    """A minimal RESP client over a plain socket, enough to load data sets."""

    def __init__(self, host, port, timeout=30.0):
        self.host = host
        self.port = port
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.file = self.sock.makefile('rb')

    def __repr__(self):
        return 'RawConnection(%s:%d)' % (self.host, self.port)

    def read_reply(self):
        line = self.file.readline()
        if not line:
            raise ConnectionError('redis-server closed the connection')
        kind, rest = line[:1], line[1:-2]
        if kind == b'+':
            return rest
        if kind == b'-':
            raise RuntimeError('redis-server error: %s' % rest.decode(errors='replace'))
        if kind == b':':
            return int(rest)
        if kind == b'$':
            size = int(rest)
            if size < 0:
                return None
            data = self.file.read(size + 2)
            return data[:-2]
        if kind == b'*':
            count = int(rest)
            return None if count < 0 else [self.read_reply() for _ in range(count)]
        raise RuntimeError('unexpected reply line %r' % line)

    def command(self, *args):
        self.sock.sendall(encode_command(*args))
        return self.read_reply()

    def pipeline(self, commands, chunk=200):
        """Send commands in chunks, reading each chunk's replies; return the count sent."""
        sent = 0
        batch = []
        for cmd in commands:
            batch.append(encode_command(*cmd))
            if len(batch) >= chunk:
                sent += self._flush(batch)
                batch = []
        if batch:
            sent += self._flush(batch)
        return sent

    def _flush(self, batch):
        self.sock.sendall(b''.join(batch))
        for _ in batch:
            self.read_reply()
        return len(batch)

    def close(self):
        self.file.close()
        self.sock.close()


class BenchServer(object):
    """A throw-away redis-server on a free port in a temporary directory."""

    def __init__(self, binary, host='127.0.0.1', cpus=None):
        self.binary = binary
        self.host = host
        self.cpus = cpus
        self.port = None
        self.dir = None
        self.proc = None

    def __repr__(self):
        return 'BenchServer(%s:%s, pid=%s)' % (self.host, self.port, self.proc and self.proc.pid)

    def start(self, attempts=5):
        self.dir = tempfile.mkdtemp(prefix='redis-clone-bench-')
        for _ in range(attempts):
            self.port = free_port()
            if self.port == 6379:
                continue
            log = open(os.path.join(self.dir, 'redis.log'), 'wb')
            self.proc = subprocess.Popen(
                [self.binary, '--port', str(self.port), '--bind', self.host, '--save', '',
                 '--appendonly', 'no', '--dir', self.dir,
                 # a slow subscriber must not be cut off in the pubsub workload
                 '--client-output-buffer-limit', 'pubsub 0 0 0'],
                stdout=log, stderr=subprocess.STDOUT, cwd=self.dir, preexec_fn=pin_to(self.cpus))
            log.close()
            if self._wait_ready():
                return self
            self.stop(remove_dir=False)
        raise RuntimeError('redis-server did not start; see %s/redis.log' % self.dir)

    def _wait_ready(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                conn = RawConnection(self.host, self.port, timeout=1.0)
                try:
                    if conn.command('PING') == b'PONG':
                        return True
                finally:
                    conn.close()
            except OSError:
                time.sleep(0.05)
        return False

    def connect(self):
        return RawConnection(self.host, self.port)

    def version(self):
        conn = self.connect()
        try:
            info = conn.command('INFO', 'server').decode()
        finally:
            conn.close()
        match = re.search(r'redis_version:(\S+)', info)
        return match.group(1) if match else None

    def commands_processed(self):
        """The server's total_commands_processed counter (INFO stats)."""
        conn = self.connect()
        try:
            info = conn.command('INFO', 'stats').decode()
        finally:
            conn.close()
        return int(re.search(r'total_commands_processed:(\d+)', info).group(1))

    def stop(self, remove_dir=True):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if remove_dir and self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


def load_datasets(server, names, datasets):
    """Load each named data set once: FLUSHALL first, then the commands of each set."""
    conn = server.connect()
    try:
        conn.command('FLUSHALL')
        for name in names:
            conn.pipeline(datasets[name]())
    finally:
        conn.close()


def run_redis_benchmark(binary, host, port, test, requests, cpus=None, timeout=120):
    """requests/s of ``redis-benchmark -c 1 -n N -t TEST -q``: the C client on one connection."""
    out = subprocess.run([binary, '-h', host, '-p', str(port), '-c', '1', '-n', str(requests),
                          '-t', test, '-q'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         timeout=timeout, preexec_fn=pin_to(cpus))
    text = out.stdout.decode(errors='replace')
    # progress lines end in \r; the final one is "GET: 41000.00 requests per second, p50=..."
    matches = re.findall(r'([A-Z]+): ([0-9.]+) requests per second', text)
    if out.returncode != 0 or not matches:
        raise RuntimeError('redis-benchmark failed: %s' % text.strip().splitlines()[-1:])
    return float(matches[-1][1])
