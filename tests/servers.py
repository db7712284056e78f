"""redis-server processes for the tests: masters, replicas, unix socket,
password and TLS servers, and sentinels, each on a free port in its own
temp dir.

Readiness and control use a raw RESP socket (``raw_command``), never the
client under test, so a broken client cannot make the harness lie.
"""
import atexit
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import weakref

from rawresp import (  # noqa: F401 (re-exported for the tests)
    HOST, RawConnection, RawReplyError, parse_info, raw_command,
)
from tlscerts import (  # noqa: F401 (re-exported for the tests)
    CertError, Certs, make_ca, make_certs,
)

START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
INSTALL_HINT = ('install redis-server (apt-get install -y redis-server) '
                'or set REDIS_SERVER=/path/to/redis-server')


class ServerError(Exception):
    "A redis-server could not be found or started"


class TLSUnsupported(ServerError):
    "This redis-server build has no TLS support"


def find_redis_server():
    "Path of the redis-server to run (env REDIS_SERVER, then PATH), or None"
    path = os.environ.get('REDIS_SERVER')
    if path:
        return path if os.access(path, os.X_OK) else None
    return shutil.which('redis-server')


def check_redis_server():
    """The version line of the redis-server to run; ServerError (with what
    to install) when there is none or it does not run."""
    path = find_redis_server()
    if path is None:
        raise ServerError('redis-server not found: ' + INSTALL_HINT)
    try:
        result = subprocess.run([path, '--version'], capture_output=True,
                                text=True, timeout=10)
    except (OSError, subprocess.SubprocessError) as e:
        raise ServerError('cannot run %s (%s): %s' % (path, e, INSTALL_HINT))
    if result.returncode != 0 or 'Redis server' not in result.stdout:
        raise ServerError('%s --version failed (%r): %s' % (
            path, (result.stdout + result.stderr).strip()[:200],
            INSTALL_HINT))
    return result.stdout.strip()


_versions = {}


def server_version(executable):
    "(major, minor, patch) of a redis-server binary, (0,) if unknown"
    if executable not in _versions:
        try:
            out = subprocess.run([executable, '--version'],
                                 capture_output=True, text=True,
                                 timeout=10).stdout
            number = out.split(' v=')[1].split()[0]
            _versions[executable] = tuple(int(x) for x in number.split('.'))
        except (OSError, subprocess.SubprocessError, IndexError, ValueError):
            _versions[executable] = (0,)
    return _versions[executable]


def free_port(host=HOST):
    "A TCP port nobody listens on right now"
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


# ---- a raw RESP client ------------------------------------------------------

# ---- processes --------------------------------------------------------------

# Every server still running when Python exits is stopped, so an aborted
# run (Ctrl-C, a crashed fixture) leaves no redis-server behind.
_live = weakref.WeakSet()


@atexit.register
def _stop_leftovers():
    for server in list(_live):
        try:
            server.stop()
        except Exception:
            pass


class _ServerProcess(object):
    """A redis-server process in a temp dir of its own, its output in
    ``<dir>/redis.log``."""
    kind = 'redis-server'
    db = 0

    def __init__(self, port=None, password=None):
        self.executable = find_redis_server()
        self.host = HOST
        self._fixed_port = port is not None
        self.port = port if port is not None else free_port()
        self.password = password
        self.dir = None
        self.process = None
        self._control = None

    @property
    def pid(self):
        return self.process.pid if self.process is not None else None

    @property
    def log_path(self):
        return os.path.join(self.dir, 'redis.log') if self.dir else None

    def __repr__(self):
        state = 'running' if self.is_running() else 'stopped'
        return '%s<%s:%s,%s>' % (type(self).__name__, self.host, self.port,
                                 state)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def command_line(self):
        raise NotImplementedError

    def is_running(self):
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines=5):
        "The last lines the server logged, on one line"
        try:
            with open(self.log_path, errors='replace') as f:
                tail = f.read().splitlines()[-lines:]
        except (OSError, TypeError):
            return ''
        return ' | '.join(line.strip() for line in tail if line.strip())

    def start(self):
        "Start the server and wait until it answers PING"
        if self.is_running():
            return self
        if self.executable is None:
            raise ServerError('redis-server not found: ' + INSTALL_HINT)
        if self.dir is None:
            self.dir = tempfile.mkdtemp(prefix='redis-test-')
        attempts = 1 if self._fixed_port else 3
        for attempt in range(attempts):
            try:
                self._spawn()
                return self
            except ServerError:
                # Another process may have taken the port between
                # free_port() and the bind: try a new one.
                if attempt + 1 == attempts or 'in use' not in self.log_tail():
                    raise
                self.port = free_port()
        return self

    def _spawn(self):
        with open(self.log_path, 'ab') as log:
            try:
                self.process = subprocess.Popen(
                    self.command_line(), cwd=self.dir, stdin=subprocess.DEVNULL,
                    stdout=log, stderr=subprocess.STDOUT)
            except OSError as e:
                raise ServerError('cannot run %s (%s): %s'
                                  % (self.executable, e, INSTALL_HINT))
        _live.add(self)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise ServerError('%s exited with code %s on port %s: %s' % (
                    self.kind, self.process.returncode, self.port,
                    self.log_tail()))
            if self._answers_ping():
                return
            if time.monotonic() > deadline:
                self._terminate()
                raise ServerError('%s did not answer PING within %ss: %s' % (
                    self.kind, START_TIMEOUT, self.log_tail()))
            time.sleep(0.01)

    def raw_connection(self, timeout=5.0):
        return RawConnection(self.host, self.port, timeout=timeout)

    def _answers_ping(self):
        try:
            conn = self.raw_connection(timeout=1.0)
        except OSError:
            return False
        try:
            if self.password:
                conn.command('AUTH', self.password)
            if conn.command('PING') != 'PONG':
                return False
            # On a fixed-port restart another process may have taken the
            # port meanwhile: only our own process counts as started.
            info = conn.command('INFO', 'server')
            if isinstance(info, bytes):
                info = info.decode()
            for line in info.splitlines():
                if line.startswith('process_id:'):
                    if int(line.split(':', 1)[1]) != self.process.pid:
                        raise ServerError('port %s is answered by another '
                                          'process' % self.port)
            return True
        except (OSError, RawReplyError, ValueError):
            # LOADING and the like: up but not ready yet
            return False
        finally:
            conn.close()

    def command(self, *args):
        """Run a command over a raw control connection kept open between
        calls (reopened once if the server restarted meanwhile)."""
        for attempt in (0, 1):
            if self._control is None:
                self._control = self.raw_connection()
                if self.password:
                    self._control.command('AUTH', self.password)
            try:
                return self._control.command(*args)
            except (OSError, ConnectionError):
                self._close_control()
                if attempt:
                    raise

    def _close_control(self):
        if self._control is not None:
            self._control.close()
            self._control = None

    def _terminate(self, sig=signal.SIGTERM):
        self._close_control()
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def kill(self):
        "SIGKILL the server; .restart() or .start() brings it back"
        self._terminate(signal.SIGKILL)

    def restart(self):
        "Stop the server and start it again on the same port"
        self._terminate()
        self._fixed_port = True
        return self.start()

    def stop(self):
        "Stop the server (SIGTERM, then SIGKILL) and remove its temp dir"
        self._terminate()
        self.process = None
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


class RedisServer(_ServerProcess):
    """A redis-server that keeps nothing on disk.

    ``unixsocket=True`` also listens on ``<dir>/redis.sock``; ``tls=True``
    serves TLS only (``.port`` is the TLS port) with the certificates of
    ``certs`` (tlscerts.Certs; by default made in its dir), presenting
    ``tls_cert_file``/``tls_key_file`` if given, and asking clients for a
    certificate as ``tls_auth_clients`` says ('no', 'optional', 'yes');
    ``replicaof=(host, port)`` makes it a replica."""

    def __init__(self, port=None, password=None, unixsocket=False, tls=False,
                 replicaof=None, extra_args=(), certs=None,
                 tls_auth_clients='no', tls_cert_file=None,
                 tls_key_file=None):
        super(RedisServer, self).__init__(port, password)
        self.unixsocket = unixsocket
        self.tls = tls
        self.replicaof = replicaof
        self.extra_args = tuple(extra_args)
        # TLS: the CA (and certificates) to use, made in the server's dir
        # when not given; the server presents tls_cert_file/tls_key_file
        # (by default certs.server_cert/server_key)
        self.certs = certs
        self.tls_auth_clients = tls_auth_clients
        self.tls_cert_file = tls_cert_file
        self.tls_key_file = tls_key_file

    @property
    def unix_path(self):
        if not self.unixsocket or self.dir is None:
            return None
        return os.path.join(self.dir, 'redis.sock')

    @property
    def ca_file(self):
        return self.certs.ca_file if self.certs else None

    @property
    def url(self):
        auth = ':%s@' % self.password if self.password else ''
        scheme = 'rediss' if self.tls else 'redis'
        return '%s://%s%s:%s/0' % (scheme, auth, self.host, self.port)

    def start(self):
        if self.tls and self.certs is None:
            if self.dir is None:
                self.dir = tempfile.mkdtemp(prefix='redis-test-')
            try:
                self.certs = make_certs(os.path.join(self.dir, 'tls'))
            except CertError as e:
                raise ServerError(str(e))
        try:
            return super(RedisServer, self).start()
        except ServerError as e:
            if self.tls and _looks_like_no_tls(str(e)):
                raise TLSUnsupported(
                    'this redis-server was built without TLS: %s' % e)
            raise

    def command_line(self):
        args = [self.executable,
                '--bind', self.host,
                '--save', '',
                '--appendonly', 'no',
                '--daemonize', 'no',
                '--dir', self.dir,
                '--logfile', '',
                # a replica syncs at once, not after the default 5 s wait
                '--repl-diskless-sync-delay', '0']
        if server_version(self.executable) >= (7,):
            # DEBUG is refused by default since 7.0; older ones lack this
            args += ['--enable-debug-command', 'yes']
        if self.tls:
            args += ['--port', '0', '--tls-port', str(self.port),
                     '--tls-cert-file',
                     self.tls_cert_file or self.certs.server_cert,
                     '--tls-key-file',
                     self.tls_key_file or self.certs.server_key,
                     '--tls-ca-cert-file', self.certs.ca_file,
                     '--tls-auth-clients', self.tls_auth_clients]
            if self.replicaof:
                args += ['--tls-replication', 'yes']
        else:
            args += ['--port', str(self.port)]
        if self.password:
            args += ['--requirepass', self.password]
        if self.unixsocket:
            args += ['--unixsocket', self.unix_path, '--unixsocketperm', '700']
        if self.replicaof:
            host, port = self.replicaof
            args += ['--replicaof', str(host), str(port)]
        args += list(self.extra_args)
        return args

    def ssl_context(self):
        """The harness's own TLS context: no verification (a server may
        present an expired, self-signed or misnamed certificate on
        purpose), the client certificate when the certs have one (a server
        may require it)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        client_cert = getattr(self.certs, 'client_cert', None)
        if client_cert:
            context.load_cert_chain(client_cert, self.certs.client_key)
        return context

    def raw_connection(self, timeout=5.0):
        return RawConnection(self.host, self.port, timeout=timeout,
                             ssl_context=self.ssl_context() if self.tls
                             else None)

    def connection_kwargs(self):
        "ConnectionPool keyword arguments that reach this server"
        kwargs = {'host': self.host, 'port': self.port, 'db': 0}
        if self.password:
            kwargs['password'] = self.password
        if self.tls:
            from redis.connection import SSLConnection
            kwargs.update(connection_class=SSLConnection,
                          ssl_ca_certs=self.certs.ca_file,
                          ssl_cert_reqs='required')
        return kwargs

    def client(self, **kwargs):
        "A StrictRedis to this server (kwargs go to its ConnectionPool)"
        import redis
        cls = kwargs.pop('cls', redis.StrictRedis)
        pool_kwargs = self.connection_kwargs()
        pool_kwargs.update(kwargs)
        return cls(connection_pool=redis.ConnectionPool(**pool_kwargs))

    def info(self, section='replication'):
        return parse_info(self.command('INFO', section))

    def wait_for_sync(self, timeout=START_TIMEOUT):
        "For a replica: wait until its link to the master is up"
        deadline = time.monotonic() + timeout
        while self.info().get('master_link_status') != 'up':
            if time.monotonic() > deadline:
                raise ServerError('replica did not sync within %ss: %s'
                                  % (timeout, self.log_tail()))
            time.sleep(0.02)


def _looks_like_no_tls(message):
    message = message.lower()
    return 'tls' in message and ('bad directive' in message
                                 or 'not supported' in message
                                 or 'not compiled' in message
                                 or 'unknown' in message)


class RedisSentinel(_ServerProcess):
    "A ``redis-server --sentinel`` watching one master"
    kind = 'redis sentinel'

    def __init__(self, master_name, master_host, master_port, port=None,
                 down_after_ms=1000, failover_timeout=5000, quorum=1,
                 master_password=None, extra_config=()):
        super(RedisSentinel, self).__init__(port)
        self.master_name = master_name
        self.master_host = master_host
        self.master_port = master_port
        self.down_after_ms = down_after_ms
        self.failover_timeout = failover_timeout
        self.quorum = quorum
        self.master_password = master_password
        self.extra_config = tuple(extra_config)

    @property
    def config_path(self):
        return os.path.join(self.dir, 'sentinel.conf')

    def _config(self):
        name = self.master_name
        lines = [
            'port %d' % self.port,
            'bind %s' % self.host,
            'daemonize no',
            'logfile ""',
            'dir %s' % self.dir,
            'sentinel monitor %s %s %d %d' % (name, self.master_host,
                                              self.master_port, self.quorum),
            'sentinel down-after-milliseconds %s %d' % (name,
                                                       self.down_after_ms),
            'sentinel failover-timeout %s %d' % (name, self.failover_timeout),
            'sentinel parallel-syncs %s 1' % name,
        ]
        if self.master_password:
            lines.append('sentinel auth-pass %s %s' % (name,
                                                       self.master_password))
        lines.extend(self.extra_config)
        return '\n'.join(lines) + '\n'

    def _spawn(self):
        # Written on every start: the port may have changed, and sentinel
        # rewrites the file with what it learned.
        if not os.path.exists(self.config_path) or not self._fixed_port:
            with open(self.config_path, 'w') as f:
                f.write(self._config())
        return super(RedisSentinel, self)._spawn()

    def command_line(self):
        return [self.executable, self.config_path, '--sentinel']
