"""TLS on real redis-server processes: verification on by default (chain,
expiry, host name), explicit opt-outs, client certificates, every ssl_*
option by argument, pool and URL, mismatched ports that fail within their
timeouts, and ordinary work (big pipelines and values, pubsub, timeouts,
restarts, Sentinel) over TLS.

The certificates come from tlscerts.py (the ``tls_files`` fixture); a
redis-server without TLS support fails these tests, never skips them.
"""
import socket
import ssl
import time

import pytest

import redis
from redis.connection import SSLConnection
from redis.exceptions import ConnectionError, RedisError, TimeoutError
from redis.sentinel import Sentinel, SentinelManagedSSLConnection
from redis.tls import TLSOptions, cert_reqs_from, tls_version_from

import servers
from sentinel_cluster import SentinelCluster

# "did not hang": far above any timeout a test sets (see the README's rule
# on timing bounds)
NO_HANG = 30.0

# how each extra server presents itself (tlscerts.TLSFiles -> RedisServer
# keyword arguments)
SERVER_KINDS = {
    'wrong_host': lambda f: dict(tls_cert_file=f.wrong_host_cert,
                                 tls_key_file=f.wrong_host_key),
    'expired': lambda f: dict(tls_cert_file=f.expired_cert,
                              tls_key_file=f.expired_key),
    'self_signed': lambda f: dict(tls_cert_file=f.self_signed_cert,
                                  tls_key_file=f.self_signed_key),
    'client_cert_required': lambda f: dict(tls_auth_clients='yes'),
    'client_cert_optional': lambda f: dict(tls_auth_clients='optional'),
    'tls12_only': lambda f: dict(extra_args=('--tls-protocols', 'TLSv1.2')),
}


def start_server(server):
    try:
        return server.start()
    except servers.ServerError as e:
        server.stop()
        # CI must run these: a server without TLS is a failure
        pytest.fail('cannot start a TLS redis-server: %s' % e,
                    pytrace=False)


@pytest.fixture(scope='module')
def tls_server(tls_files):
    "tls_server(kind): a server of SERVER_KINDS, started once per module"
    started = {}

    def get(kind):
        if kind not in started:
            server = servers.RedisServer(tls=True, certs=tls_files,
                                         **SERVER_KINDS[kind](tls_files))
            started[kind] = start_server(server)
        return started[kind]

    yield get
    for server in started.values():
        server.stop()


@pytest.fixture
def tls_client(tls_files, parser_class):
    """tls_client(server, **kwargs): a StrictRedis over TLS to ``server``
    on the test's parser; the pool gets kwargs (by default the right CA and
    no other option, so verification is on)."""
    made = []

    def make(server, pool_class=redis.ConnectionPool, **kwargs):
        kwargs.setdefault('ssl_ca_certs', tls_files.ca_file)
        pool = pool_class(connection_class=SSLConnection, host=server.host,
                          port=server.port, parser_class=parser_class,
                          **kwargs)
        client = redis.StrictRedis(connection_pool=pool)
        made.append(client)
        return client

    yield make
    for client in made:
        client.connection_pool.disconnect()


@pytest.fixture
def tls_db(redis_tls_server):
    "The session TLS server, flushed before and after the test"
    redis_tls_server.command('FLUSHALL')
    yield redis_tls_server
    redis_tls_server.command('FLUSHALL')


def connect_error(client):
    "The ConnectionError a PING raises (it must raise one)"
    with pytest.raises(ConnectionError) as info:
        client.ping()
    return str(info.value)


def the_socket(client):
    connection = client.connection_pool.get_connection('PING')
    try:
        connection.connect()
        return connection._sock
    finally:
        client.connection_pool.release(connection)


# ---- the harness -----------------------------------------------------------

def test_redis_server_supports_tls(redis_tls_server):
    # fails (never skips) when the redis-server was built without TLS
    assert redis_tls_server.tls
    assert redis_tls_server.command('PING') == 'PONG'
    assert servers.server_version(redis_tls_server.executable) >= (6,)


# ---- verified by default ---------------------------------------------------

def test_verified_by_argument(tls_db, tls_files, parser_class):
    client = redis.StrictRedis(host=tls_db.host, port=tls_db.port, ssl=True,
                               ssl_ca_certs=tls_files.ca_file)
    client.connection_pool.connection_kwargs['parser_class'] = parser_class
    try:
        assert client.set('tls', 'yes') is True
        assert client.get('tls') == b'yes'
        sock = the_socket(client)
        assert isinstance(sock, ssl.SSLSocket)
        # a certificate is only handed back once it was verified
        assert sock.getpeercert()['subject'] == ((('commonName',
                                                   'localhost'),),)
        assert sock.context.verify_mode == ssl.CERT_REQUIRED
        assert sock.context.check_hostname is True
    finally:
        client.connection_pool.disconnect()


def test_legacy_redis_class_and_blocking_pool(tls_db, tls_files,
                                              tls_client):
    client = redis.Redis(host=tls_db.host, port=tls_db.port, ssl=True,
                         ssl_ca_certs=tls_files.ca_file)
    try:
        assert client.ping() is True
    finally:
        client.connection_pool.disconnect()
    blocking = tls_client(tls_db, pool_class=redis.BlockingConnectionPool,
                          max_connections=2, timeout=5)
    assert blocking.echo('blocking') == b'blocking'


@pytest.mark.parametrize('host', ['127.0.0.1', 'localhost'])
def test_verified_by_url(tls_db, tls_files, parser_class, host):
    url = 'rediss://%s:%d/0?ssl_ca_certs=%s' % (host, tls_db.port,
                                                tls_files.ca_file)
    client = redis.StrictRedis.from_url(url, parser_class=parser_class)
    try:
        assert client.echo('by url') == b'by url'
        pool = client.connection_pool
        assert pool.connection_class is SSLConnection
        connection = pool.get_connection('PING')
        pool.release(connection)
        assert connection.cert_reqs == ssl.CERT_REQUIRED
        assert connection.check_hostname is True
    finally:
        client.connection_pool.disconnect()


def test_url_without_options_uses_the_system_trust_store(tls_db,
                                                         parser_class):
    # the test CA is in no system store: refused, as an unknown CA
    client = redis.StrictRedis.from_url(
        'rediss://127.0.0.1:%d/0' % tls_db.port, parser_class=parser_class)
    try:
        message = connect_error(client)
    finally:
        client.connection_pool.disconnect()
    assert 'unknown certificate authority' in message
    assert "ssl_cert_reqs='none'" in message


def test_ca_path_and_ca_data(tls_db, tls_files, tls_client):
    by_path = tls_client(tls_db, ssl_ca_certs=None,
                         ssl_ca_path=tls_files.ca_path)
    assert by_path.echo('path') == b'path'
    with open(tls_files.ca_file) as f:
        pem = f.read()
    by_data = tls_client(tls_db, ssl_ca_certs=None, ssl_ca_data=pem)
    assert by_data.echo('data') == b'data'


# ---- refused: what failed, and how to opt out ------------------------------

def test_unknown_ca_refused_by_default(tls_db, tls_files, tls_client):
    client = tls_client(tls_db, ssl_ca_certs=tls_files.other_ca_file)
    message = connect_error(client)
    assert 'unknown certificate authority' in message
    assert '%s:%s' % (tls_db.host, tls_db.port) in message
    assert "ssl_cert_reqs='none'" in message
    assert client.connection_pool.get_connection('PING')._sock is None


def test_expired_certificate_refused(tls_server, tls_client):
    message = connect_error(tls_client(tls_server('expired')))
    assert 'has expired' in message
    assert "ssl_cert_reqs='none'" in message


def test_hostname_mismatch_refused_by_default(tls_server, tls_client):
    server = tls_server('wrong_host')
    message = connect_error(tls_client(server))
    assert 'hostname mismatch' in message
    assert "'127.0.0.1'" in message
    assert 'ssl_check_hostname=False' in message
    # the chain is still verified: only the name check is skipped
    client = tls_client(server, ssl_check_hostname=False)
    assert client.echo('any name') == b'any name'
    assert the_socket(client).context.verify_mode == ssl.CERT_REQUIRED


def test_hostname_check_off_by_url(tls_server, tls_files, parser_class):
    server = tls_server('wrong_host')
    url = 'rediss://%s:%d/0?ssl_ca_certs=%s&ssl_check_hostname=false' % (
        server.host, server.port, tls_files.ca_file)
    client = redis.StrictRedis.from_url(url, parser_class=parser_class)
    try:
        assert client.connection_pool.connection_kwargs[
            'ssl_check_hostname'] is False
        assert client.ping() is True
    finally:
        client.connection_pool.disconnect()


def test_cert_reqs_none_connects_to_a_self_signed_server(tls_server,
                                                         tls_client):
    server = tls_server('self_signed')
    message = connect_error(tls_client(server))
    assert 'unknown certificate authority' in message
    client = tls_client(server, ssl_ca_certs=None, ssl_cert_reqs='none')
    assert client.echo('unverified') == b'unverified'
    sock = the_socket(client)
    assert sock.context.verify_mode == ssl.CERT_NONE
    assert sock.getpeercert() == {}
    # None, as in 2.10.6 and today's redis-py, is the same explicit opt-out
    legacy = tls_client(server, ssl_ca_certs=None, ssl_cert_reqs=None)
    assert legacy.ping() is True


def test_cert_reqs_none_by_url(tls_server, parser_class):
    server = tls_server('self_signed')
    client = redis.StrictRedis.from_url(
        'rediss://%s:%d?ssl_cert_reqs=none' % (server.host, server.port),
        parser_class=parser_class)
    try:
        assert client.ping() is True
    finally:
        client.connection_pool.disconnect()


# ---- client certificates ---------------------------------------------------

def test_client_certificate_required(tls_server, tls_files, tls_client):
    server = tls_server('client_cert_required')
    client = tls_client(server, ssl_certfile=tls_files.client_cert,
                        ssl_keyfile=tls_files.client_key)
    assert client.echo('with cert') == b'with cert'
    encrypted = tls_client(server, ssl_certfile=tls_files.client_cert,
                           ssl_keyfile=tls_files.client_key_encrypted,
                           ssl_password=tls_files.client_key_password)
    assert encrypted.echo('encrypted key') == b'encrypted key'


def test_missing_client_certificate_fails_clearly(tls_server, tls_client):
    server = tls_server('client_cert_required')
    client = tls_client(server, socket_timeout=10)
    message = connect_error(client)
    assert 'client certificate' in message
    assert 'ssl_certfile' in message
    # the failed connection is not kept
    assert client.connection_pool.get_connection('PING')._sock is None


def test_missing_client_certificate_fails_on_auth_too(tls_files,
                                                      make_server,
                                                      tls_client):
    # AUTH is the first read: the refusal shows while connecting
    server = make_server(tls=True, certs=tls_files, tls_auth_clients='yes',
                         password='tls-auth-secret')
    client = tls_client(server, password='tls-auth-secret',
                        socket_timeout=10)
    message = connect_error(client)
    assert 'client certificate' in message


def test_wrong_key_password_fails_clearly(tls_server, tls_files, tls_client):
    client = tls_client(tls_server('client_cert_required'),
                        ssl_certfile=tls_files.client_cert,
                        ssl_keyfile=tls_files.client_key_encrypted,
                        ssl_password='not the passphrase')
    message = connect_error(client)
    assert 'Cannot load the client certificate' in message
    assert 'is ssl_password the passphrase' in message
    assert 'not the passphrase' not in message
    # without one, nothing asks on the terminal: the error says what is
    # missing
    client = tls_client(tls_server('client_cert_required'),
                        ssl_certfile=tls_files.client_cert,
                        ssl_keyfile=tls_files.client_key_encrypted)
    assert 'ssl_keyfile is encrypted: pass its passphrase as ' \
        'ssl_password' in connect_error(client)


def test_client_certificate_optional(tls_server, tls_files, tls_client):
    server = tls_server('client_cert_optional')
    assert tls_client(server).ping() is True
    client = tls_client(server, ssl_certfile=tls_files.client_cert,
                        ssl_keyfile=tls_files.client_key)
    assert client.ping() is True


# ---- versions and ciphers ----------------------------------------------------

def test_min_version(tls_db, tls_server, tls_client):
    client = tls_client(tls_db, ssl_min_version=ssl.TLSVersion.TLSv1_3)
    assert client.ping() is True
    assert the_socket(client).version() == 'TLSv1.3'
    # a server that stops below it is refused, naming the options
    old = tls_client(tls_server('tls12_only'),
                     ssl_min_version=ssl.TLSVersion.TLSv1_3)
    message = connect_error(old)
    assert 'TLS handshake with' in message
    assert 'ssl_min_version' in message


def test_min_version_and_ciphers_by_url(tls_server, tls_files,
                                        parser_class):
    server = tls_server('tls12_only')
    cipher = 'ECDHE-ECDSA-AES128-GCM-SHA256'
    url = ('rediss://%s:%d/0?ssl_ca_certs=%s&ssl_min_version=TLSv1_2'
           '&ssl_ciphers=%s' % (server.host, server.port, tls_files.ca_file,
                                cipher))
    client = redis.StrictRedis.from_url(url, parser_class=parser_class)
    try:
        assert client.ping() is True
        sock = the_socket(client)
        assert sock.version() == 'TLSv1.2'
        assert sock.cipher()[0] == cipher
    finally:
        client.connection_pool.disconnect()


def test_option_values_are_checked_when_given():
    assert cert_reqs_from('REQUIRED') == ssl.CERT_REQUIRED
    assert cert_reqs_from('optional') == ssl.CERT_OPTIONAL
    assert cert_reqs_from(ssl.CERT_NONE) == ssl.CERT_NONE
    assert cert_reqs_from(None) == ssl.CERT_NONE
    for value in ('sometimes', 7, object()):
        with pytest.raises(RedisError):
            cert_reqs_from(value)
    for name in ('TLSv1_2', 'TLSv1.2', '1.2', ssl.TLSVersion.TLSv1_2):
        assert tls_version_from(name) == ssl.TLSVersion.TLSv1_2
    with pytest.raises(RedisError):
        tls_version_from('TLSv9')
    with pytest.raises(RedisError):
        SSLConnection(ssl_ciphers='NO-SUCH-CIPHER')
    with pytest.raises(RedisError):
        SSLConnection(ssl_min_version='nope')
    # a host name can only be checked on a verified certificate
    assert SSLConnection(ssl_cert_reqs='none').check_hostname is False
    assert SSLConnection().check_hostname is True
    assert SSLConnection().cert_reqs == ssl.CERT_REQUIRED
    options = TLSOptions(password='key passphrase')
    assert 'passphrase' not in repr(options)


def test_keyfile_without_certfile_fails_clearly(tls_db, tls_files,
                                                tls_client):
    client = tls_client(tls_db, ssl_keyfile=tls_files.client_key)
    assert 'ssl_keyfile needs ssl_certfile' in connect_error(client)


# ---- plain and TLS on the wrong ports fail within their timeouts ----------

def test_plain_client_on_tls_port(tls_db, parser_class):
    pool = redis.ConnectionPool(host=tls_db.host, port=tls_db.port,
                                socket_timeout=2, socket_connect_timeout=2,
                                parser_class=parser_class)
    client = redis.StrictRedis(connection_pool=pool)
    started = time.monotonic()
    try:
        with pytest.raises((ConnectionError, TimeoutError)):
            client.set('plain', 'text')
        with pytest.raises((ConnectionError, TimeoutError)):
            client.get('plain')
    finally:
        pool.disconnect()
    assert time.monotonic() - started < NO_HANG
    assert tls_db.command('EXISTS', 'plain') == 0


def test_tls_client_on_plain_port(clean_db, tls_files, parser_class):
    pool = redis.ConnectionPool(
        connection_class=SSLConnection, host=clean_db.host,
        port=clean_db.port, ssl_ca_certs=tls_files.ca_file,
        socket_timeout=2, socket_connect_timeout=2,
        parser_class=parser_class)
    client = redis.StrictRedis(connection_pool=pool)
    started = time.monotonic()
    try:
        with pytest.raises((ConnectionError, TimeoutError)) as info:
            client.set('tls', 'text')
    finally:
        pool.disconnect()
    assert time.monotonic() - started < NO_HANG
    if isinstance(info.value, ConnectionError):
        assert 'TLS handshake' in str(info.value)
    assert clean_db.command('EXISTS', 'tls') == 0


def test_handshake_bounded_by_connect_timeout(parser_class):
    # a port that accepts and never answers: the handshake times out
    # after socket_connect_timeout even with no socket_timeout at all
    listener = socket.socket()
    listener.bind((servers.HOST, 0))
    listener.listen(8)
    try:
        connection = SSLConnection(host=servers.HOST,
                                   port=listener.getsockname()[1],
                                   socket_connect_timeout=0.5,
                                   parser_class=parser_class)
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            connection.connect()
        elapsed = time.monotonic() - started
        assert 0.4 < elapsed < NO_HANG
        assert connection._sock is None
    finally:
        listener.close()


# ---- ordinary work over TLS -------------------------------------------------

def test_pipeline_of_ten_thousand_commands(tls_db, tls_client):
    client = tls_client(tls_db)
    pipe = client.pipeline(transaction=False)
    for i in range(10000):
        pipe.set('key:%d' % i, i)
    assert pipe.execute() == [True] * 10000
    with client.pipeline() as pipe:
        for i in range(10000):
            pipe.get('key:%d' % i)
        replies = pipe.execute()
    assert replies == [str(i).encode() for i in range(10000)]


def test_ten_mib_value(tls_db, tls_client):
    client = tls_client(tls_db)
    value = bytes(range(256)) * (10 * 1024 * 1024 // 256)
    assert client.set('big', value) is True
    assert client.get('big') == value
    assert client.strlen('big') == 10 * 1024 * 1024


def test_pubsub(tls_db, tls_client):
    client = tls_client(tls_db)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    try:
        pubsub.subscribe('tls-channel')
        # the subscription is in place once the server counts it
        deadline = time.monotonic() + NO_HANG
        while client.pubsub_numsub('tls-channel') != [(b'tls-channel', 1)]:
            pubsub.get_message(timeout=0.05)
            assert time.monotonic() < deadline
        assert client.publish('tls-channel', 'over tls') == 1
        message = None
        while message is None and time.monotonic() < deadline:
            message = pubsub.get_message(timeout=1.0)
        assert message['data'] == b'over tls'
    finally:
        pubsub.close()


def test_socket_timeout_expires(tls_db, tls_client):
    client = tls_client(tls_db, socket_timeout=0.3)
    assert client.set('before', 'timeout') is True
    # WAIT for a replica that does not exist holds the reply for 10 s, far
    # past socket_timeout (and, unlike blocking pops, is not exempt from it)
    with pytest.raises(TimeoutError):
        client.execute_command('WAIT', 1, 10000)
    # the timed-out connection is gone; the next commands get their own
    # replies on a fresh one
    assert client.set('after', 'timeout') is True
    assert client.get('before') == b'timeout'
    assert client.get('after') == b'timeout'


def test_server_restart(tls_files, make_server, tls_client):
    server = make_server(tls=True, certs=tls_files)
    client = tls_client(server)
    assert client.set('k', 'v') is True
    old = the_socket(client)
    server.restart()
    # the pooled connection the restart closed is replaced before use
    assert client.set('k', 'again') is True
    assert client.get('k') == b'again'
    assert the_socket(client) is not old


# ---- Sentinel --------------------------------------------------------------

@pytest.fixture(scope='module')
def tls_sentinel_group(tls_files):
    group = SentinelCluster(service_name='tls-master', replicas=1,
                            sentinels=1, down_after_ms=5000,
                            failover_timeout=60000, tls_files=tls_files)
    try:
        group.start()
    except servers.ServerError as e:
        pytest.fail('cannot start a TLS sentinel group: %s' % e,
                    pytrace=False)
    yield group
    group.stop()


def test_sentinel_masters_over_tls(tls_sentinel_group, tls_files,
                                   parser_class):
    group = tls_sentinel_group
    sentinel = Sentinel(group.sentinel_addresses, socket_timeout=5)
    master = sentinel.master_for('tls-master', ssl=True,
                                 ssl_ca_certs=tls_files.ca_file,
                                 parser_class=parser_class)
    slave = sentinel.slave_for('tls-master', ssl=True,
                               ssl_ca_certs=tls_files.ca_file,
                               parser_class=parser_class)
    try:
        assert master.set('sentinel-tls', 'yes') is True
        assert master.execute_command('WAIT', 1, 10000) == 1
        assert slave.get('sentinel-tls') == b'yes'
        connection = master.connection_pool.get_connection('GET')
        master.connection_pool.release(connection)
        assert isinstance(connection, SentinelManagedSSLConnection)
        assert isinstance(connection._sock, ssl.SSLSocket)
        assert (connection.host, connection.port) == (group.master.host,
                                                      group.master.port)
    finally:
        master.connection_pool.disconnect()
        slave.connection_pool.disconnect()


def test_sentinel_connection_kwargs_carry_tls(tls_sentinel_group, tls_files,
                                              parser_class):
    group = tls_sentinel_group
    # as connection_kwargs: the masters get TLS, the sentinels do not
    sentinel = Sentinel(group.sentinel_addresses, socket_timeout=5,
                        ssl=True, ssl_ca_certs=tls_files.ca_file,
                        parser_class=parser_class)
    master = sentinel.master_for('tls-master')
    wrong = Sentinel(group.sentinel_addresses, socket_timeout=5, ssl=True,
                     ssl_ca_certs=tls_files.other_ca_file,
                     parser_class=parser_class).master_for('tls-master')
    # and a client that does not ask for TLS fails fast on a TLS master
    plain = Sentinel(group.sentinel_addresses, socket_timeout=5,
                     parser_class=parser_class).master_for('tls-master')
    try:
        assert master.ping() is True
        assert sentinel.sentinels[0].ping() is True
        assert 'unknown certificate authority' in connect_error(wrong)
        started = time.monotonic()
        with pytest.raises((ConnectionError, TimeoutError)):
            plain.ping()
        assert time.monotonic() - started < NO_HANG
    finally:
        master.connection_pool.disconnect()
        wrong.connection_pool.disconnect()
        plain.connection_pool.disconnect()
