"""Fixtures: one redis-server for the whole session (or --redis-url), extra
servers started only when a test asks for them, and clients built on both
parsers."""
import warnings
from urllib.parse import parse_qs, unquote, urlparse

import pytest

import servers
# fixtures of their own modules: the command tests' two reply modes
# (decode, client) and the real cluster (one per session)
pytest_plugins = ['modes', 'cluster_fixtures']

# pytest.exit() with no code would exit 0: a run without a server must fail.
EXIT_NO_SERVER = 3
EXTERNAL_SKIP = ('needs a redis-server started by the harness '
                 '(not available with --redis-url)')


def pytest_addoption(parser):
    parser.addoption(
        '--redis-url', default=None, metavar='URL',
        help='run against this existing server (redis://[:password@]host'
             '[:port][/db] or unix:///path?db=N) instead of starting one; '
             'only its db is flushed, tests that restart servers skip')


def pytest_sessionstart(session):
    config = session.config
    if config.getoption('--redis-url') or config.getoption('collectonly'):
        return
    try:
        servers.check_redis_server()
    except servers.ServerError as e:
        # UsageError prints its message once, as 'ERROR: ...', exit code 4
        raise pytest.UsageError(str(e))


class ExternalServer(object):
    """The server given with --redis-url: host, port, db and password only;
    it is never stopped or restarted by the tests."""
    harness_owned = False
    tls = False

    def __init__(self, url):
        parsed = urlparse(url)
        query = parse_qs(parsed.query)
        self.url = url
        self.password = unquote(parsed.password) if parsed.password else None
        if not self.password and 'password' in query:
            self.password = query['password'][0]
        if parsed.scheme == 'unix':
            self.host, self.port = None, None
            self.unix_path = parsed.path
            db = query.get('db', ['0'])[0]
        elif parsed.scheme == 'redis':
            self.host = parsed.hostname or 'localhost'
            self.port = parsed.port or 6379
            self.unix_path = None
            db = query.get('db', [parsed.path.strip('/') or '0'])[0]
        else:
            raise pytest.UsageError('--redis-url must be redis:// or unix://')
        self.db = int(db)
        self._control = None

    def __repr__(self):
        return 'ExternalServer<%s>' % self.url

    def is_running(self):
        return True

    def command(self, *args):
        "Run a command on the given db over a kept-open raw connection"
        for attempt in (0, 1):
            if self._control is None:
                conn = servers.RawConnection(self.host, self.port,
                                             unix_path=self.unix_path)
                if self.password:
                    conn.command('AUTH', self.password)
                if self.db:
                    conn.command('SELECT', self.db)
                self._control = conn
            try:
                return self._control.command(*args)
            except (OSError, ConnectionError):
                self._control.close()
                self._control = None
                if attempt:
                    raise

    def flush(self):
        self.command('FLUSHDB')

    def connection_kwargs(self):
        kwargs = {'db': self.db}
        if self.password:
            kwargs['password'] = self.password
        if self.unix_path:
            from redis.connection import UnixDomainSocketConnection
            kwargs.update(connection_class=UnixDomainSocketConnection,
                          path=self.unix_path)
        else:
            kwargs.update(host=self.host, port=self.port)
        return kwargs

    def client(self, **kwargs):
        import redis
        cls = kwargs.pop('cls', redis.StrictRedis)
        pool_kwargs = self.connection_kwargs()
        pool_kwargs.update(kwargs)
        return cls(connection_pool=redis.ConnectionPool(**pool_kwargs))

    def kill(self):
        pytest.skip(EXTERNAL_SKIP)

    restart = start = stop = kill

    def close(self):
        if self._control is not None:
            self._control.close()
            self._control = None


def _flush(server):
    if isinstance(server, ExternalServer):
        server.flush()
    else:
        server.command('FLUSHALL')


def _start(server):
    try:
        return server.start()
    except servers.ServerError as e:
        server.stop()
        if isinstance(e, servers.TLSUnsupported):
            # CI must run the TLS tests: a server without TLS fails them
            pytest.fail(str(e), pytrace=False)
        if server.executable is None:
            # only reachable with --redis-url: the session check covers
            # the other case
            pytest.skip('redis-server not found: ' + servers.INSTALL_HINT)
        raise


@pytest.fixture(scope='session')
def redis_url_option(request):
    return request.config.getoption('--redis-url')


@pytest.fixture(scope='session')
def redis_server(redis_url_option):
    "The session's master: started by the harness, or the --redis-url one"
    if redis_url_option:
        server = ExternalServer(redis_url_option)
        try:
            server.command('PING')
        except Exception as e:
            pytest.exit('cannot reach --redis-url %s: %s'
                        % (redis_url_option, e), returncode=EXIT_NO_SERVER)
        yield server
        server.close()
        return
    server = servers.RedisServer()
    try:
        server.start()
    except servers.ServerError as e:
        server.stop()
        pytest.exit('cannot start redis-server: %s' % e,
                    returncode=EXIT_NO_SERVER)
    yield server
    server.stop()


@pytest.fixture(scope='session')
def harness_server(redis_server):
    "The master, for tests that stop or restart it (skips with --redis-url)"
    if isinstance(redis_server, ExternalServer):
        pytest.skip(EXTERNAL_SKIP)
    return redis_server


def _session_server(**kwargs):
    server = servers.RedisServer(**kwargs)
    _start(server)
    return server


@pytest.fixture(scope='session')
def redis_unix_server():
    "A server that also listens on a unix socket (``.unix_path``)"
    server = _session_server(unixsocket=True)
    yield server
    server.stop()


@pytest.fixture(scope='session')
def redis_password_server():
    "A server with requirepass 'sekrit'"
    server = _session_server(password='sekrit')
    yield server
    server.stop()


@pytest.fixture(scope='session')
def tls_files(tmp_path_factory):
    "Every certificate of the TLS tests (tlscerts.TLSFiles)"
    import tlscerts
    try:
        return tlscerts.make_tls_files(str(tmp_path_factory.mktemp('tls')))
    except tlscerts.CertError as e:
        pytest.fail(str(e), pytrace=False)


@pytest.fixture(scope='session')
def redis_tls_server(tls_files):
    """A TLS-only server whose certificate (for 127.0.0.1 and localhost)
    ``.ca_file`` signed; ``.wrong_ca_file`` is an unrelated CA. It asks
    clients for no certificate."""
    server = _session_server(tls=True, certs=tls_files)
    server.wrong_ca_file = tls_files.other_ca_file
    yield server
    server.stop()


@pytest.fixture(scope='session')
def redis_replica(redis_server):
    "A replica of the master, synced before it is handed out"
    if isinstance(redis_server, ExternalServer):
        pytest.skip(EXTERNAL_SKIP)
    server = _session_server(replicaof=(redis_server.host, redis_server.port))
    server.wait_for_sync()
    yield server
    server.stop()


@pytest.fixture
def make_server():
    """Factory for fresh servers, stopped after the test: for tests that
    kill, restart or reconfigure a server."""
    started = []

    def make(**kwargs):
        server = servers.RedisServer(**kwargs)
        started.append(server)
        return _start(server)

    yield make
    for server in started:
        server.stop()


@pytest.fixture(params=['python', 'hiredis'])
def parser_class(request):
    if request.param == 'hiredis':
        try:
            import hiredis  # noqa: F401
        except ImportError:
            pytest.skip('hiredis is not installed')
        from redis.connection import HiredisParser
        return HiredisParser
    from redis.connection import PythonParser
    return PythonParser


@pytest.fixture
def clean_db(redis_server):
    """Flushes the master's data before and after the test. A test that
    left the harness's master down gets it restarted for the next one."""
    _flush(redis_server)
    yield redis_server
    if not redis_server.is_running():
        warnings.warn('a test left the session redis-server stopped; '
                      'restarting it')
        redis_server.restart()
    _flush(redis_server)


@pytest.fixture
def make_client(clean_db, parser_class):
    """make_client(cls=StrictRedis, server=None, unix=False, **kwargs): a
    client on the test's parser to the master (or `server`; over its unix
    socket with unix=True). kwargs go to the ConnectionPool."""
    import redis
    made = []

    def make(cls=None, server=None, unix=False, **kwargs):
        server = server or clean_db
        pool_kwargs = server.connection_kwargs()
        if unix:
            for name in ('host', 'port', 'connection_class', 'ssl_ca_certs',
                         'ssl_cert_reqs'):
                pool_kwargs.pop(name, None)
            pool_kwargs.update(connection_class=redis.UnixDomainSocketConnection,
                               path=server.unix_path)
        pool_kwargs['parser_class'] = parser_class
        pool_kwargs.update(kwargs)
        client = (cls or redis.StrictRedis)(
            connection_pool=redis.ConnectionPool(**pool_kwargs))
        made.append(client)
        return client

    yield make
    for client in made:
        client.connection_pool.disconnect()


@pytest.fixture
def r(make_client):
    "StrictRedis with bytes replies"
    return make_client()


@pytest.fixture
def rd(make_client):
    "StrictRedis with decode_responses=True"
    return make_client(decode_responses=True)


@pytest.fixture
def rl(make_client):
    "The legacy Redis class"
    import redis
    return make_client(cls=redis.Redis)


@pytest.fixture
def offline():
    "A client with no server behind it: any I/O would raise ConnectionError"
    import redis
    client = redis.StrictRedis(host=servers.HOST, port=servers.free_port(),
                               socket_connect_timeout=1)
    yield client
    client.connection_pool.disconnect()
