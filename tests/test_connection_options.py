"""Connection options of today's redis-py on real servers: ``username``
(ACL users: AUTH username password), ``client_name`` (CLIENT SETNAME on
every connect) and ``health_check_interval`` (an idle connection is PINGed
before use, and one that fails the check is replaced before the command
is sent).
"""
import time
from urllib.parse import quote

import pytest

import redis
from redis.connection import (
    BlockingConnectionPool, Connection, ConnectionPool,
    UnixDomainSocketConnection,
)
from redis.exceptions import AuthenticationError, ConnectionError
from redis.sentinel import Sentinel

from faultproxy import FaultProxy
from sentinel_cluster import SentinelCluster
from servers import parse_info

USER = 'alice'
USER_PASSWORD = 'alice-pw:/@#%'  # (characters a URL must quote)


def add_user(server, name=USER, password=USER_PASSWORD):
    server.command('ACL', 'SETUSER', name, 'reset', 'on', '>' + password,
                   '~*', '&*', '+@all')


@pytest.fixture(scope='module')
def acl_server():
    "A server with the ACL user alice (and a default user without password)"
    import servers
    server = servers.RedisServer(unixsocket=True)
    try:
        server.start()
    except servers.ServerError as e:
        server.stop()
        pytest.fail('cannot start redis-server: %s' % e, pytrace=False)
    add_user(server)
    yield server
    server.stop()


@pytest.fixture
def clients(parser_class):
    "clients(**pool_kwargs): StrictRedis on a pool, disconnected afterwards"
    made = []

    def make(pool_class=ConnectionPool, **kwargs):
        kwargs.setdefault('parser_class', parser_class)
        client = redis.StrictRedis(connection_pool=pool_class(**kwargs))
        made.append(client)
        return client

    yield make
    for client in made:
        client.connection_pool.disconnect()


def whoami(client):
    return client.execute_command('ACL', 'WHOAMI')


def ping_calls(server):
    stat = parse_info(server.command('INFO', 'commandstats')).get(
        'cmdstat_ping')
    return int(stat.split(',')[0].split('=')[1]) if stat else 0


# ---- username --------------------------------------------------------------

def test_username_on_the_client(acl_server, parser_class):
    client = redis.StrictRedis(host=acl_server.host, port=acl_server.port,
                               username=USER, password=USER_PASSWORD)
    client.connection_pool.connection_kwargs['parser_class'] = parser_class
    try:
        assert whoami(client) == USER.encode()
        assert client.connection_pool.connection_kwargs['username'] == USER
    finally:
        client.connection_pool.disconnect()


@pytest.mark.parametrize('pool_class', [ConnectionPool,
                                        BlockingConnectionPool])
def test_username_on_pools(acl_server, clients, pool_class):
    client = clients(pool_class=pool_class, host=acl_server.host,
                     port=acl_server.port, username=USER,
                     password=USER_PASSWORD)
    assert whoami(client) == USER.encode()
    # a reconnect authenticates as the user again
    acl_server.command('CLIENT', 'KILL', 'USER', USER)
    assert whoami(client) == USER.encode()


def test_username_on_connections(acl_server, parser_class):
    for connection in (
            Connection(host=acl_server.host, port=acl_server.port,
                       username=USER, password=USER_PASSWORD,
                       parser_class=parser_class),
            UnixDomainSocketConnection(path=acl_server.unix_path,
                                       username=USER, password=USER_PASSWORD,
                                       parser_class=parser_class)):
        try:
            connection.send_command('ACL', 'WHOAMI')
            assert connection.read_response() == USER.encode()
        finally:
            connection.disconnect()


def test_username_in_urls(acl_server, parser_class):
    url = 'redis://%s:%s@%s:%d/0' % (USER, quote(USER_PASSWORD, safe=''),
                                     acl_server.host, acl_server.port)
    client = redis.StrictRedis.from_url(url, decode_components=True,
                                        parser_class=parser_class)
    try:
        assert client.connection_pool.connection_kwargs['username'] == USER
        assert whoami(client) == USER.encode()
    finally:
        client.connection_pool.disconnect()
    unix = 'unix://%s:%s@%s?db=0' % (USER, quote(USER_PASSWORD, safe=''),
                                     acl_server.unix_path)
    client = redis.StrictRedis.from_url(unix, decode_components=True,
                                        parser_class=parser_class)
    try:
        assert whoami(client) == USER.encode()
    finally:
        client.connection_pool.disconnect()


def test_url_user_unknown_to_the_server_falls_back_to_the_password(
        make_server, parser_class):
    # URLs written for 2.10.6, which ignored their user name
    # (redis://h:secret@host, as some hosts hand out), keep working
    server = make_server(password='default-secret')
    url = 'redis://h:default-secret@%s:%d/0' % (server.host, server.port)
    client = redis.StrictRedis.from_url(url, parser_class=parser_class)
    try:
        assert whoami(client) == b'default'
    finally:
        client.connection_pool.disconnect()
    # a wrong password still fails, and so does a user name given as an
    # argument: only a URL's may have been meant for 2.10.6
    client = redis.StrictRedis.from_url(
        'redis://h:wrong@%s:%d/0' % (server.host, server.port),
        parser_class=parser_class)
    with pytest.raises(AuthenticationError):
        client.ping()
    client = redis.StrictRedis(connection_pool=ConnectionPool(
        host=server.host, port=server.port, username='h',
        password='default-secret', parser_class=parser_class))
    with pytest.raises(AuthenticationError):
        client.ping()


def test_url_user_and_a_connection_class_written_for_2106(make_server,
                                                           parser_class):
    class Connection2106(Connection):
        "the keyword arguments of 2.10.6's Connection, no username"
        def __init__(self, host='localhost', port=6379, db=0, password=None,
                     socket_timeout=None, socket_connect_timeout=None,
                     socket_keepalive=False, socket_keepalive_options=None,
                     retry_on_timeout=False, encoding='utf-8',
                     encoding_errors='strict', decode_responses=False,
                     parser_class=parser_class, socket_read_size=65536):
            Connection.__init__(self, host=host, port=port, db=db,
                                password=password,
                                socket_timeout=socket_timeout,
                                parser_class=parser_class)

    server = make_server(password='default-secret')
    pool = ConnectionPool.from_url(
        'redis://h:default-secret@%s:%d/0' % (server.host, server.port),
        connection_class=Connection2106)
    client = redis.StrictRedis(connection_pool=pool)
    try:
        assert whoami(client) == b'default'
    finally:
        pool.disconnect()
    # the class may also be set once the pool exists (fakeredis does so)
    pool = ConnectionPool.from_url(
        'redis://h:default-secret@%s:%d/0' % (server.host, server.port))
    pool.connection_class = Connection2106
    assert whoami(redis.StrictRedis(connection_pool=pool)) == b'default'
    pool.disconnect()


def test_password_alone_authenticates_the_default_user(make_server,
                                                       clients):
    # redis://:secret@host and password= keep 2.10.6's AUTH <password>
    server = make_server(password='default-secret')
    pool = ConnectionPool.from_url('redis://:default-secret@%s:%d/0' % (
        server.host, server.port))
    assert 'username' not in pool.connection_kwargs
    client = clients(**dict(pool.connection_kwargs))
    assert whoami(client) == b'default'


def test_wrong_user_password_fails(acl_server, clients):
    client = clients(host=acl_server.host, port=acl_server.port,
                     username=USER, password='not-it')
    with pytest.raises(AuthenticationError) as info:
        client.ping()
    assert 'WRONGPASS' in str(info.value)
    nobody = clients(host=acl_server.host, port=acl_server.port,
                     username='nobody', password=USER_PASSWORD)
    with pytest.raises(AuthenticationError):
        nobody.ping()


def test_username_without_password_for_a_nopass_user(acl_server, clients):
    acl_server.command('ACL', 'SETUSER', 'bob', 'reset', 'on', 'nopass',
                       '~*', '+@all')
    try:
        client = clients(host=acl_server.host, port=acl_server.port,
                         username='bob')
        assert whoami(client) == b'bob'
    finally:
        acl_server.command('ACL', 'DELUSER', 'bob')


# ---- client_name -----------------------------------------------------------

def test_client_name_on_every_connect(acl_server, clients):
    client = clients(host=acl_server.host, port=acl_server.port,
                     client_name='reporting', username=USER,
                     password=USER_PASSWORD)
    assert client.execute_command('CLIENT', 'GETNAME') == b'reporting'
    acl_server.command('CLIENT', 'KILL', 'USER', USER)
    # the reconnect names the new connection too
    assert client.execute_command('CLIENT', 'GETNAME') == b'reporting'
    # and a pubsub's
    pubsub = client.pubsub()
    try:
        pubsub.subscribe('named')
        listing = acl_server.command('CLIENT', 'LIST', 'TYPE', 'pubsub')
        assert b'name=reporting' in listing
    finally:
        pubsub.close()


def test_client_name_from_the_client_and_url(acl_server, parser_class):
    for client in (
            redis.StrictRedis(host=acl_server.host, port=acl_server.port,
                              client_name='from-ctor'),
            redis.StrictRedis.from_url('redis://%s:%d/0?client_name=from-url'
                                       % (acl_server.host, acl_server.port))):
        client.connection_pool.connection_kwargs['parser_class'] = \
            parser_class
        try:
            name = client.connection_pool.connection_kwargs['client_name']
            assert client.execute_command('CLIENT', 'GETNAME') == \
                name.encode()
        finally:
            client.connection_pool.disconnect()


# ---- health_check_interval -----------------------------------------------

def test_no_ping_before_the_interval(acl_server, clients):
    client = clients(host=acl_server.host, port=acl_server.port,
                     health_check_interval=3600)
    client.ping()
    before = ping_calls(acl_server)
    for _ in range(5):
        client.get('x')
    assert ping_calls(acl_server) == before


def test_idle_connection_is_pinged_before_use(acl_server, clients):
    client = clients(host=acl_server.host, port=acl_server.port,
                     health_check_interval=0.05)
    client.get('x')
    before = ping_calls(acl_server)
    time.sleep(0.1)  # idle longer than the interval
    client.get('x')
    assert ping_calls(acl_server) == before + 1
    # busy connections are not: each command resets the clock
    assert client.connection_pool.connection_kwargs[
        'health_check_interval'] == 0.05


def test_failed_check_reconnects_before_the_command(acl_server, clients):
    acl_server.command('DEL', 'counter')
    with FaultProxy(acl_server.host, acl_server.port) as proxy:
        client = clients(host=proxy.host, port=proxy.port, socket_timeout=5,
                         health_check_interval=0.05)
        assert client.incr('counter') == 1
        # the connection dies with the next bytes it sends (the PING), in
        # a way the pool's poll cannot see beforehand
        proxy.cut_after('up', 0)
        time.sleep(0.1)  # idle longer than the interval
        assert client.incr('counter') == 2
    assert acl_server.command('GET', 'counter') == b'2'


def test_without_a_check_the_command_is_lost(acl_server, clients):
    # the same death without health checks: the command itself is cut
    # and, as it may have run, not sent again
    acl_server.command('DEL', 'counter')
    with FaultProxy(acl_server.host, acl_server.port) as proxy:
        client = clients(host=proxy.host, port=proxy.port, socket_timeout=5)
        assert client.incr('counter') == 1
        proxy.cut_after('up', 0)
        with pytest.raises(ConnectionError):
            client.incr('counter')
    assert acl_server.command('GET', 'counter') == b'1'


def test_health_check_interval_from_client_and_url():
    client = redis.StrictRedis(health_check_interval=30)
    assert client.connection_pool.connection_kwargs[
        'health_check_interval'] == 30
    pool = ConnectionPool.from_url('redis://localhost/0?'
                                   'health_check_interval=2.5')
    assert pool.connection_kwargs['health_check_interval'] == 2.5
    assert pool.make_connection().health_check_interval == 2.5
    # 2.10.6's calls give the pool 2.10.6's arguments
    assert 'health_check_interval' not in \
        redis.StrictRedis().connection_pool.connection_kwargs


# ---- Sentinel --------------------------------------------------------------

@pytest.fixture(scope='module')
def acl_group():
    group = SentinelCluster(service_name='acl-master', replicas=0,
                            sentinels=1, down_after_ms=5000,
                            failover_timeout=60000)
    group.start()
    add_user(group.master)
    yield group
    group.stop()


def test_sentinel_passes_username_and_client_name(acl_group, parser_class):
    sentinel = Sentinel(acl_group.sentinel_addresses, socket_timeout=5,
                        username=USER, password=USER_PASSWORD,
                        client_name='via-sentinel', parser_class=parser_class)
    master = sentinel.master_for('acl-master')
    try:
        assert whoami(master) == USER.encode()
        assert master.execute_command('CLIENT', 'GETNAME') == \
            b'via-sentinel'
        # the sentinels themselves are reached without them
        assert sentinel.sentinels[0].ping() is True
    finally:
        master.connection_pool.disconnect()
