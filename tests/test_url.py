"""from_url: every URL form and option, parsed and then used against real
servers on both parsers."""
import warnings

import pytest

import redis
from redis.connection import (
    Connection, ConnectionPool, SSLConnection, UnixDomainSocketConnection,
    to_bool,
)
from servers import raw_command


def kwargs_of(url, **kwargs):
    return ConnectionPool.from_url(url, **kwargs).connection_kwargs


# ---- redis:// ---------------------------------------------------------------

def test_defaults():
    pool = ConnectionPool.from_url('redis://localhost')
    assert pool.connection_class is Connection
    assert pool.connection_kwargs == {
        'host': 'localhost', 'port': 6379, 'db': 0, 'password': None}


def test_host_port_password():
    assert kwargs_of('redis://:mypassword@myhost:6380') == {
        'host': 'myhost', 'port': 6380, 'db': 0, 'password': 'mypassword'}


@pytest.mark.parametrize('url,db', [
    ('redis://localhost/2', 2),
    ('redis://localhost/2/', 2),
    ('redis://localhost?db=3', 3),
    # the querystring wins over the path
    ('redis://localhost/2?db=3', 3),
    # a path that is not a number is ignored
    ('redis://localhost/notanumber', 0),
])
def test_db(url, db):
    assert kwargs_of(url)['db'] == db


def test_db_argument():
    assert kwargs_of('redis://localhost', db=4)['db'] == 4
    # the URL's db wins over the argument
    assert kwargs_of('redis://localhost/2', db=4)['db'] == 2
    assert kwargs_of('redis://localhost?db=3', db=4)['db'] == 3


def test_bad_db_in_querystring():
    with pytest.raises(ValueError) as info:
        ConnectionPool.from_url('redis://localhost?db=two')
    assert 'db' in str(info.value)


def test_unknown_options_passed_as_strings():
    assert kwargs_of('redis://localhost?a=1&b=two') == {
        'host': 'localhost', 'port': 6379, 'db': 0, 'password': None,
        'a': '1', 'b': 'two'}


@pytest.mark.parametrize('option', ['socket_timeout',
                                    'socket_connect_timeout'])
def test_float_options(option):
    url = 'redis://localhost?%s=2.5' % option
    value = kwargs_of(url)[option]
    assert value == 2.5 and isinstance(value, float)
    assert kwargs_of('redis://localhost?%s=3' % option)[option] == 3.0


@pytest.mark.parametrize('option', ['socket_keepalive', 'retry_on_timeout'])
@pytest.mark.parametrize('text,value', [
    ('1', True), ('True', True), ('yes', True), ('Y', True),
    ('0', False), ('f', False), ('FALSE', False), ('n', False), ('No', False),
])
def test_bool_options(option, text, value):
    assert kwargs_of('redis://localhost?%s=%s' % (option, text))[option] \
        is value


def test_to_bool():
    assert to_bool(None) is None
    assert to_bool('') is None
    assert to_bool('no') is False
    assert to_bool('anything') is True
    assert to_bool(0) is False
    assert to_bool(1) is True


def test_max_connections_option():
    pool = ConnectionPool.from_url('redis://localhost?max_connections=10')
    assert pool.max_connections == 10
    assert 'max_connections' not in pool.connection_kwargs


def test_timeout_option_of_the_blocking_pool():
    # a string there made every command fail with a TypeError (2.10.6 too)
    pool = redis.BlockingConnectionPool.from_url(
        'redis://localhost?timeout=2.5&max_connections=3')
    assert pool.timeout == 2.5 and pool.max_connections == 3
    assert 'timeout' not in pool.connection_kwargs


@pytest.mark.parametrize('option', ['socket_timeout',
                                    'socket_connect_timeout',
                                    'max_connections', 'timeout'])
def test_bad_typed_value_names_the_option(option):
    with pytest.raises(ValueError) as info:
        ConnectionPool.from_url('redis://localhost?%s=abc' % option)
    assert option in str(info.value)


def test_keyword_arguments_override_the_url():
    kwargs = kwargs_of('redis://:urlpass@localhost/2?socket_timeout=1',
                       password='kwpass', socket_timeout=5,
                       decode_responses=True)
    assert kwargs['password'] == 'kwpass'
    assert kwargs['socket_timeout'] == 5
    assert kwargs['decode_responses'] is True
    assert kwargs['db'] == 2


def test_components_kept_quoted_by_default():
    kwargs = kwargs_of('redis://:%2Fmypass%2F@%2Fmyhost%2F:6380/0')
    assert kwargs['password'] == '%2Fmypass%2F'
    assert kwargs['host'] == '%2Fmyhost%2F'


def test_decode_components():
    kwargs = kwargs_of('redis://:%2Fmy%20pass%2F@%2Fmyhost%2F:6380/0',
                       decode_components=True)
    assert kwargs == {'host': '/myhost/', 'port': 6380, 'db': 0,
                      'password': '/my pass/'}


def test_deprecated_charset_and_errors():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        kwargs = kwargs_of('redis://localhost?charset=latin-1&errors=replace')
    assert kwargs['encoding'] == 'latin-1'
    assert kwargs['encoding_errors'] == 'replace'
    assert 'charset' not in kwargs and 'errors' not in kwargs
    assert [w.category for w in caught] == [DeprecationWarning] * 2


def test_bad_scheme():
    with pytest.raises(ValueError):
        ConnectionPool.from_url('http://localhost')
    with pytest.raises(ValueError):
        ConnectionPool.from_url('localhost:6379')


# ---- rediss:// and unix:// --------------------------------------------------

def test_rediss_uses_ssl_connection():
    pool = ConnectionPool.from_url(
        'rediss://localhost:6380?ssl_cert_reqs=required&ssl_ca_certs=/ca.crt')
    assert pool.connection_class is SSLConnection
    assert pool.connection_kwargs == {
        'host': 'localhost', 'port': 6380, 'db': 0, 'password': None,
        'ssl_cert_reqs': 'required', 'ssl_ca_certs': '/ca.crt'}
    assert repr(pool) == \
        'ConnectionPool<SSLConnection<host=localhost,port=6380,db=0>>'


def test_unix_defaults():
    pool = ConnectionPool.from_url('unix:///path/to/redis.sock')
    assert pool.connection_class is UnixDomainSocketConnection
    assert pool.connection_kwargs == {
        'path': '/path/to/redis.sock', 'db': 0, 'password': None}


def test_unix_password_and_db():
    assert kwargs_of('unix://:mypassword@/socket?db=2') == {
        'path': '/socket', 'db': 2, 'password': 'mypassword'}
    assert kwargs_of('unix:///socket', db=3)['db'] == 3


def test_unix_decode_components():
    kwargs = kwargs_of('unix://:my%20pass@/tmp/my%20dir/redis.sock',
                       decode_components=True)
    assert kwargs['password'] == 'my pass'
    assert kwargs['path'] == '/tmp/my dir/redis.sock'


# ---- client classes ---------------------------------------------------------

def test_client_classes():
    # redis.from_url returns the legacy Redis class, as 2.10.6 did
    assert type(redis.from_url('redis://localhost')) is redis.Redis
    assert type(redis.StrictRedis.from_url('redis://localhost')) is \
        redis.StrictRedis
    assert type(redis.Redis.from_url('redis://localhost')) is redis.Redis
    client = redis.StrictRedis.from_url('redis://localhost/5',
                                        decode_responses=True)
    assert client.connection_pool.connection_kwargs['db'] == 5
    assert client.connection_pool.connection_kwargs['decode_responses']


# ---- against servers --------------------------------------------------------

def test_redis_url_roundtrip(harness_server, clean_db, parser_class):
    url = 'redis://%s:%d/3' % (harness_server.host, harness_server.port)
    client = redis.StrictRedis.from_url(url, parser_class=parser_class)
    try:
        assert client.set('via-url', 'yes') is True
        assert client.get('via-url') == b'yes'
    finally:
        client.connection_pool.disconnect()
    assert raw_command('GET', 'via-url', port=harness_server.port,
                       db=3) == b'yes'


def test_redis_url_options_reach_the_connection(clean_db, parser_class):
    server = clean_db
    if not server.host:
        pytest.skip('the --redis-url server is a unix socket')
    url = ('redis://%s:%d/%d?socket_timeout=2.5&socket_keepalive=yes'
           '&retry_on_timeout=true' % (server.host, server.port, server.db))
    client = redis.from_url(url, parser_class=parser_class,
                            password=server.password)
    try:
        client.set('k', 'v')
        conn = client.connection_pool.get_connection('GET')
        assert conn.socket_timeout == 2.5
        assert conn.socket_keepalive is True
        assert conn.retry_on_timeout is True
        assert conn._sock.gettimeout() == 2.5
        client.connection_pool.release(conn)
    finally:
        client.connection_pool.disconnect()


def test_password_url(redis_password_server, parser_class):
    server = redis_password_server
    good = redis.StrictRedis.from_url(
        'redis://:sekrit@%s:%d/0' % (server.host, server.port),
        parser_class=parser_class)
    bad = redis.StrictRedis.from_url(
        'redis://:wrong@%s:%d/0' % (server.host, server.port),
        parser_class=parser_class)
    try:
        assert good.echo('authed') == b'authed'
        with pytest.raises(redis.AuthenticationError):
            bad.echo('not authed')
    finally:
        good.connection_pool.disconnect()
        bad.connection_pool.disconnect()


def test_unix_url_roundtrip(redis_unix_server, parser_class):
    server = redis_unix_server
    client = redis.StrictRedis.from_url(
        'unix://%s?db=1' % server.unix_path, parser_class=parser_class)
    try:
        assert client.set('via-unix', 'yes') is True
        conn = client.connection_pool.get_connection('GET')
        assert isinstance(conn, UnixDomainSocketConnection)
        client.connection_pool.release(conn)
        assert raw_command('GET', 'via-unix', unix_path=server.unix_path,
                           db=1) == b'yes'
    finally:
        raw_command('FLUSHALL', unix_path=server.unix_path)
        client.connection_pool.disconnect()


def test_rediss_url_roundtrip(redis_tls_server, parser_class):
    server = redis_tls_server
    url = 'rediss://%s:%d/0?ssl_cert_reqs=required&ssl_ca_certs=%s' % (
        server.host, server.port, server.ca_file)
    client = redis.StrictRedis.from_url(url, parser_class=parser_class)
    try:
        assert client.echo('over tls') == b'over tls'
    finally:
        client.connection_pool.disconnect()
