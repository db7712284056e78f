"""Secrets never show: a password, an ACL user name (or a URL holding them,
or a TLS key's passphrase) appears in no repr() or str() of a client, pool,
connection,
Sentinel or PubSub, in no exception message or traceback text, and in no
log line at any level.

Everything the package shows is collected while it works against real
servers (a successful session, a failed AUTH, a refused connection, a
failed TLS check, a pubsub reconnect, sentinels that are not there), with
logging at DEBUG; then no secret may be found in any of it.
"""
import logging
import queue
import threading
import traceback
from urllib.parse import quote

import pytest

import redis
from redis.connection import (
    BlockingConnectionPool, Connection, ConnectionPool, SSLConnection,
    UnixDomainSocketConnection,
)
from redis.sentinel import Sentinel

import servers

PASSWORD = 'pw-Secret-7f3a'
USERNAME = 'user-Secret-3e1b'
WRONG_PASSWORD = 'pw-Wrong-91c2'
KEY_PASSPHRASE = 'key-Passphrase-5d0e'
# a password with a '/' that a URL left unquoted (urllib's errors quote the
# part of it taken for a port)
SLASH_PASSWORD = 'slash-Left/Unquoted-8b4'
SECRETS = (PASSWORD, USERNAME, WRONG_PASSWORD, KEY_PASSPHRASE, SLASH_PASSWORD,
           'slash-Left', 'Unquoted-8b4')


class Shown(object):
    "Every text the package showed, with where it came from"

    def __init__(self):
        self.texts = []

    def object(self, label, obj):
        self.texts.append(('repr(%s)' % label, repr(obj)))
        self.texts.append(('str(%s)' % label, str(obj)))

    def error(self, label, call):
        """Run ``call``, which must raise; keep the exception's message,
        repr and full traceback text (chained exceptions included)"""
        try:
            call()
        except Exception as e:
            self.texts.append(('%s: message' % label, str(e)))
            self.texts.append(('%s: repr' % label, repr(e)))
            self.texts.append(('%s: traceback' % label, ''.join(
                traceback.format_exception(type(e), e, e.__traceback__))))
            return e
        raise AssertionError('%s did not raise' % label)

    def leaks(self, secrets):
        found = []
        for label, text in self.texts:
            for secret in secrets:
                for form in (secret, quote(secret, safe='')):
                    if form in text:
                        found.append((label, secret, text[:300]))
        return found


class LogCapture(logging.Handler):
    "Every record at any level, formatted with its traceback"

    def __init__(self):
        super(LogCapture, self).__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter(
            '%(levelname)s %(name)s %(message)s'))
        self.lines = []
        self.pubsub_lost = threading.Event()

    def emit(self, record):
        line = self.format(record)
        self.lines.append(line)
        if 'PubSub connection lost' in line:
            self.pubsub_lost.set()


@pytest.fixture
def shown():
    return Shown()


@pytest.fixture
def logs():
    handler = LogCapture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    # (a logger of the package's with a level of its own would hide lines)
    package = logging.getLogger('redis')
    old_package_level = package.level
    package.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        package.setLevel(old_package_level)


@pytest.fixture
def secret_server(make_server):
    """requirepass PASSWORD, and the ACL user USERNAME with that password
    (in its configuration: a restart keeps it)"""
    return make_server(password=PASSWORD, extra_args=(
        '--user', USERNAME, 'on', '>' + PASSWORD, '~*', '&*', '+@all'))


def assert_nothing_leaks(shown, logs):
    texts = list(shown.texts)
    texts += [('log', line) for line in logs.lines]
    collected = Shown()
    collected.texts = texts
    assert collected.leaks(SECRETS) == []


def test_reprs_show_no_password(shown, logs, tls_files):
    url = 'redis://%s:%s@127.0.0.1:6399/0' % (USERNAME, PASSWORD)
    clients = {
        'StrictRedis': redis.StrictRedis(password=PASSWORD),
        'StrictRedis with user': redis.StrictRedis(username=USERNAME,
                                                   password=PASSWORD),
        'Redis': redis.Redis(username=USERNAME, password=PASSWORD),
        'from_url': redis.StrictRedis.from_url(url),
        'rediss from_url': redis.StrictRedis.from_url(
            'rediss://%s:%s@localhost:6390/0' % (USERNAME, PASSWORD)),
        'unix client': redis.StrictRedis(unix_socket_path='/tmp/x.sock',
                                         password=PASSWORD),
        'TLS client': redis.StrictRedis(
            ssl=True, password=PASSWORD, ssl_certfile=tls_files.client_cert,
            ssl_keyfile=tls_files.client_key_encrypted,
            ssl_password=KEY_PASSPHRASE),
    }
    for label, client in clients.items():
        shown.object(label, client)
        shown.object(label + ' pool', client.connection_pool)
        shown.object(label + ' pipeline', client.pipeline())
        shown.object(label + ' pubsub', client.pubsub())
        shown.object(label + ' connection',
                     client.connection_pool.make_connection())
    shown.object('ConnectionPool', ConnectionPool.from_url(url))
    shown.object('BlockingConnectionPool',
                 BlockingConnectionPool.from_url(url))
    shown.object('Connection', Connection(username=USERNAME,
                                          password=PASSWORD))
    shown.object('SSLConnection', SSLConnection(
        username=USERNAME, password=PASSWORD, ssl_password=KEY_PASSPHRASE))
    shown.object('TLS options', SSLConnection(
        ssl_password=KEY_PASSPHRASE).tls)
    shown.object('UnixDomainSocketConnection',
                 UnixDomainSocketConnection(path='/tmp/x', username=USERNAME,
                                            password=PASSWORD))
    sentinel = Sentinel([('127.0.0.1', servers.free_port())],
                        username=USERNAME, password=PASSWORD,
                        sentinel_kwargs={'username': USERNAME,
                                         'password': PASSWORD})
    master = sentinel.master_for('secret-service')
    shown.object('Sentinel', sentinel)
    shown.object('Sentinel client', sentinel.sentinels[0])
    shown.object('master_for', master)
    shown.object('master pool', master.connection_pool)
    shown.object('master connection',
                 master.connection_pool.make_connection())
    shown.object('slave_for', sentinel.slave_for('secret-service'))
    assert len(shown.texts) > 50
    assert_nothing_leaks(shown, logs)


def test_errors_and_logs_show_no_password(shown, logs, secret_server,
                                          clean_db, tls_files,
                                          redis_tls_server, parser_class):
    server = secret_server

    def client(**kwargs):
        kwargs.setdefault('host', server.host)
        kwargs.setdefault('port', server.port)
        kwargs.setdefault('socket_timeout', 5)
        kwargs.setdefault('parser_class', parser_class)
        return redis.StrictRedis(connection_pool=ConnectionPool(**kwargs))

    # a session that works, as the ACL user, with its pubsub losing its
    # connection until the server is back
    good = client(username=USERNAME, password=PASSWORD, health_check_interval=1,
                  client_name='secrets-test')
    assert good.execute_command('ACL', 'WHOAMI') == USERNAME.encode()
    assert good.set('k', 'v') is True
    pipe = good.pipeline()
    pipe.set('a', 1).get('a')
    assert pipe.execute() == [True, b'1']
    pubsub = good.pubsub()
    pubsub.subscribe('news')
    received = queue.Queue()

    def listen():
        for count, message in enumerate(pubsub.listen(), 1):
            received.put(message)
            if count == 2:
                return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    assert received.get(timeout=30)['type'] == 'subscribe'
    # listen() logs each failed reconnect while the server is down, then
    # reconnects (AUTH again) and subscribes again
    server.kill()
    assert logs.pubsub_lost.wait(30)
    server.restart()
    assert received.get(timeout=30)['type'] == 'subscribe'
    listener.join(30)
    assert not listener.is_alive()
    pubsub.close()

    # failed AUTHs, and no AUTH at all
    shown.error('wrong password', client(password=WRONG_PASSWORD).ping)
    shown.error('wrong user password', client(
        username=USERNAME, password=WRONG_PASSWORD).ping)
    shown.error('unknown user', client(
        username=USERNAME + '-x', password=PASSWORD).ping)
    shown.error('no password', client().ping)
    # a password the server does not expect
    shown.error('needless password',
                client(host=clean_db.host, port=clean_db.port,
                       password=PASSWORD).ping)
    # a refused connection, and a timed-out one
    shown.error('refused', client(port=servers.free_port(),
                                  username=USERNAME, password=PASSWORD).ping)
    shown.error('URL refused', redis.StrictRedis.from_url(
        'redis://%s:%s@127.0.0.1:%d/0' % (USERNAME, PASSWORD,
                                          servers.free_port()),
        parser_class=parser_class).ping)
    # a failed TLS check, and a key whose passphrase is wrong
    tls = dict(connection_class=SSLConnection, host=redis_tls_server.host,
               port=redis_tls_server.port)
    shown.error('TLS unknown CA', client(
        password=PASSWORD, ssl_ca_certs=tls_files.other_ca_file, **tls).ping)
    shown.error('TLS key passphrase', client(
        password=PASSWORD, ssl_ca_certs=tls_files.ca_file,
        ssl_certfile=tls_files.client_cert,
        ssl_keyfile=tls_files.client_key_encrypted,
        ssl_password=KEY_PASSPHRASE + 'x', **tls).ping)
    # URLs that cannot be used
    shown.error('URL bad port', lambda: ConnectionPool.from_url(
        'redis://%s:%s@127.0.0.1:port/0' % (USERNAME, PASSWORD)))
    shown.error('URL bad scheme', lambda: ConnectionPool.from_url(
        'http://:%s@127.0.0.1/0' % PASSWORD))
    shown.error('URL bad db', lambda: ConnectionPool.from_url(
        'redis://:%s@127.0.0.1/0?db=x' % PASSWORD))
    shown.error('URL unquoted slash', lambda: ConnectionPool.from_url(
        'redis://user:%s@127.0.0.1:6379/0' % SLASH_PASSWORD))
    # sentinels that are not there
    sentinel = Sentinel([('127.0.0.1', servers.free_port())],
                        socket_timeout=1, username=USERNAME,
                        password=PASSWORD,
                        sentinel_kwargs={'username': USERNAME,
                                         'password': PASSWORD,
                                         'socket_timeout': 1})
    shown.error('no sentinel', sentinel.master_for('secret-service').ping)
    shown.error('no sentinel, slave', sentinel.slave_for(
        'secret-service').ping)

    assert len(shown.texts) >= 3 * 12
    assert_nothing_leaks(shown, logs)


def test_the_check_finds_a_leak(shown):
    # the check itself works: a text holding a secret is reported
    shown.texts.append(('made up', 'AUTH %s' % PASSWORD))
    shown.texts.append(('made up, quoted', quote(SLASH_PASSWORD, safe='')))
    labels = [label for label, _, _ in shown.leaks(SECRETS)]
    assert 'made up' in labels and 'made up, quoted' in labels


def test_pipeline_errors_hide_the_credentials_of_commands(
        shown, secret_server, parser_class):
    # A failing command's arguments go into the pipeline's error message
    # (2.10.6's "Command # N (...)"): those that are credentials must not.
    client = redis.StrictRedis(connection_pool=ConnectionPool(
        host=secret_server.host, port=secret_server.port, password=PASSWORD,
        parser_class=parser_class))
    failing = [
        ('AUTH', ('AUTH', WRONG_PASSWORD)),
        ('AUTH user', ('AUTH', USERNAME, WRONG_PASSWORD)),
        ('HELLO AUTH', ('HELLO', 2, 'AUTH', USERNAME, WRONG_PASSWORD)),
        ('ACL SETUSER', ('ACL SETUSER', 'other', 'on', '>' + WRONG_PASSWORD,
                         'no-such-rule')),
        ('CONFIG SET', ('CONFIG', 'SET', 'requirepass', WRONG_PASSWORD,
                        'no-such-parameter', 'x')),
    ]
    for label, args in failing:
        for transaction in (False, True):
            pipe = client.pipeline(transaction=transaction)
            pipe.execute_command(*args)
            error = shown.error('pipeline %s (transaction=%s)' % (
                label, transaction), pipe.execute)
            assert 'of pipeline caused error' in str(error)
            assert '<hidden>' in str(error)
    # nothing ran: the server still takes only its own password
    assert client.ping() is True
    assert shown.leaks(SECRETS) == []
