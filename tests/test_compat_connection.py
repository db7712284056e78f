"""The connection layer as code written against 2.10.6 sees it: parser
subclasses with their own error classes or parse_error, Connection
subclasses overriding the methods 2.10.6 called, connection classes that
only implement 2.10.6's interface, pool subclasses, and 2.10.6's module
names. Against real servers, on both parsers."""
import enum
import os
import socket

import pytest

import redis
import redis.connection
from redis.connection import (
    Connection, SocketBuffer, Token, UnixDomainSocketConnection,
)
from redis.exceptions import (
    BusyLoadingError, ConnectionError, NoScriptError, RedisError,
    ResponseError, TimeoutError, error_from_reply,
)
from servers import free_port


def error_reply(text):
    "A script that makes the server answer with the error reply ``text``"
    return "return redis.error_reply('%s')" % text


def connection_to(server, parser_class, cls=Connection, **kwargs):
    options = server.connection_kwargs()
    options.pop('connection_class', None)
    options.update(kwargs)
    return cls(parser_class=parser_class, **options)


def roundtrip(connection, *args):
    connection.send_command(*args)
    return connection.read_response()


# ---- parser subclasses with their own error classes -------------------------

# the exception classes of a 2.10-era cluster client
ClusterError = type('ClusterError', (RedisError,), {})
AskError = type('AskError', (ResponseError,), {})
MovedError = type('MovedError', (AskError,), {})
TryAgainError = type('TryAgainError', (ResponseError,), {})
ClusterDownError = type('ClusterDownError', (ClusterError, ResponseError), {})
CrossSlotError = type('CrossSlotError', (ResponseError,), {})
MasterDownError = type('MasterDownError', (ClusterDownError,), {})
CustomErr = type('CustomErr', (ResponseError,), {})

CLUSTER_CLASSES = {
    'ASK': AskError,
    'MOVED': MovedError,
    'TRYAGAIN': TryAgainError,
    'CLUSTERDOWN': ClusterDownError,
    'CROSSSLOT': CrossSlotError,
    'MASTERDOWN': MasterDownError,
}


@pytest.fixture
def cluster_parser(parser_class):
    "parser_class as a 2.10-era cluster client subclasses it"
    table = dict(parser_class.EXCEPTION_CLASSES, **CLUSTER_CLASSES)
    table['ERR'] = dict(table['ERR'], **{'custom text': CustomErr})
    return type('ClusterParser', (parser_class,), {'EXCEPTION_CLASSES': table})


@pytest.mark.parametrize('reply, cls, message', [
    ('MOVED 4193 10.0.0.2:7001', MovedError, '4193 10.0.0.2:7001'),
    ('ASK 4193 10.0.0.2:7001', AskError, '4193 10.0.0.2:7001'),
    ('TRYAGAIN Multiple keys request during rehashing of slot', TryAgainError,
     'Multiple keys request during rehashing of slot'),
    ('CLUSTERDOWN The cluster is down', ClusterDownError,
     'The cluster is down'),
    ('CROSSSLOT Keys in request do not hash to the same slot',
     CrossSlotError, 'Keys in request do not hash to the same slot'),
    ('MASTERDOWN Link with MASTER is down', MasterDownError,
     'Link with MASTER is down'),
    ('ERR custom text', CustomErr, 'custom text'),
    ('ERR other text', ResponseError, 'other text'),
    ('UNKNOWN code', ResponseError, 'UNKNOWN code'),
])
def test_parser_subclass_exception_classes(make_client, cluster_parser,
                                           reply, cls, message):
    client = make_client(parser_class=cluster_parser)
    with pytest.raises(cls) as info:
        client.eval(error_reply(reply), 0)
    assert type(info.value) is cls
    assert info.value.args == (message,)
    # the connection stays in step: the next command gets its own reply
    assert client.echo('next') == b'next'


def test_parser_subclass_keeps_the_default_classes(make_client,
                                                   cluster_parser):
    client = make_client(parser_class=cluster_parser)
    with pytest.raises(NoScriptError):
        client.evalsha('0' * 40, 0)


def test_parser_subclass_classes_for_nested_errors(make_client,
                                                   cluster_parser):
    client = make_client(parser_class=cluster_parser)
    for transaction in (True, False):
        pipe = client.pipeline(transaction=transaction)
        pipe.echo('a').eval(error_reply('MOVED 1 h:1'), 0).echo('b')
        results = pipe.execute(raise_on_error=False)
        assert results[0] == b'a' and results[2] == b'b'
        assert type(results[1]) is MovedError
        assert results[1].args == ('1 h:1',)
        pipe = client.pipeline(transaction=transaction)
        pipe.eval(error_reply('ASK 2 h:2'), 0)
        with pytest.raises(AskError):
            pipe.execute()


def test_parser_instance_exception_classes(make_client, parser_class):
    class InstanceTable(parser_class):
        def __init__(self, socket_read_size):
            parser_class.__init__(self, socket_read_size)
            self.EXCEPTION_CLASSES = {'MOVED': MovedError}

    client = make_client(parser_class=InstanceTable)
    with pytest.raises(MovedError):
        client.eval(error_reply('MOVED 3 h:3'), 0)


def test_parse_error_override_sees_every_error_reply(make_client,
                                                     parser_class):
    seen = []

    class Recording(parser_class):
        def parse_error(self, response):
            seen.append(response)
            if response.startswith('MOVED '):
                return MovedError(response)
            return parser_class.parse_error(self, response)

    client = make_client(parser_class=Recording)
    with pytest.raises(MovedError) as info:
        client.eval(error_reply('MOVED 4193 10.0.0.2:7001'), 0)
    assert info.value.args == ('MOVED 4193 10.0.0.2:7001',)
    client.set('str', 'x')
    with pytest.raises(ResponseError) as info:
        client.lpush('str', 'y')
    assert str(info.value).startswith('WRONGTYPE Operation against a key')
    pipe = client.pipeline()
    pipe.eval(error_reply('MOVED 5 h:5'), 0)
    assert type(pipe.execute(raise_on_error=False)[0]) is MovedError
    assert seen[0] == 'MOVED 4193 10.0.0.2:7001'
    assert seen[1].startswith('WRONGTYPE ')
    assert seen[2] == 'MOVED 5 h:5'


def test_parse_error_of_2106():
    parser = redis.connection.PythonParser(socket_read_size=1024)
    error = parser.parse_error('READONLY You can\'t write against a replica.')
    assert type(error) is redis.exceptions.ReadOnlyError
    assert error.args == ("You can't write against a replica.",)
    assert type(parser.parse_error('ERR max number of clients reached')) \
        is ConnectionError
    assert parser.parse_error('NOPE x').args == ('NOPE x',)
    # the default table keeps the module-level function as the readers'
    # factory (no method call per error reply)
    assert parser.reply_error_factory() is error_from_reply


def test_connection_error_reply_disconnects(parser_class, clean_db):
    # 2.10.6's parsers raised these replies, and read_response() then
    # disconnected: a LOADING server is retried on a fresh connection
    connection = connection_to(clean_db, parser_class)
    for text, cls in (('LOADING Redis is loading the dataset in memory',
                       BusyLoadingError),
                      ('ERR max number of clients reached', ConnectionError)):
        connection.connect()
        with pytest.raises(cls):
            roundtrip(connection, 'EVAL', error_reply(text), 0)
        assert connection._sock is None
    assert roundtrip(connection, 'ECHO', 'again') == b'again'
    connection.disconnect()


# ---- Connection subclasses see 2.10.6's calls ----------------------------------

class Recorder(Connection):
    "Records the overridable calls 2.10.6 made"

    def __init__(self, **kwargs):
        self.calls = []
        super(Recorder, self).__init__(**kwargs)

    def _connect(self):
        sock = super(Recorder, self)._connect()
        self.calls.append(('_connect',))
        self.made = sock
        return sock

    def on_connect(self):
        assert self._sock is self.made
        self.calls.append(('on_connect',))
        super(Recorder, self).on_connect()

    def send_command(self, *args):
        self.calls.append(('send_command',) + args)
        super(Recorder, self).send_command(*args)

    def send_packed_command(self, command):
        assert isinstance(command, list)
        assert all(isinstance(chunk, bytes) for chunk in command)
        self.calls.append(('send_packed_command', b''.join(command)))
        super(Recorder, self).send_packed_command(command)

    def read_response(self):
        response = super(Recorder, self).read_response()
        self.calls.append(('read_response', response))
        return response

    def disconnect(self):
        self.calls.append(('disconnect',))
        super(Recorder, self).disconnect()


def test_on_connect_auths_and_selects_through_send_command(
        redis_password_server, parser_class):
    connection = connection_to(redis_password_server, parser_class,
                               cls=Recorder, db=3)
    connection.connect()
    assert connection.calls == [
        ('_connect',), ('on_connect',),
        ('send_command', 'AUTH', 'sekrit'),
        ('send_packed_command',
         b'*2\r\n$4\r\nAUTH\r\n$6\r\nsekrit\r\n'),
        ('read_response', b'OK'),
        ('send_command', 'SELECT', 3),
        ('send_packed_command', b'*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n'),
        ('read_response', b'OK'),
    ]
    connection.connect()  # connected already: nothing happens
    assert len(connection.calls) == 8
    connection.disconnect()


def test_wrong_password_is_a_response_error_and_disconnects(
        redis_password_server, parser_class):
    connection = connection_to(redis_password_server, parser_class,
                               cls=Recorder, password='wrong')
    with pytest.raises(ResponseError):
        connection.connect()
    assert connection.calls[-1] == ('disconnect',)
    assert connection._sock is None


def test_subclass_pack_command_is_used(clean_db, parser_class):
    class Renaming(Recorder):
        # sends every ECHO as an upper-cased ECHO, which the reply shows
        def pack_command(self, *args):
            if args[0] == 'ECHO':
                args = args[:1] + tuple(a.upper() for a in args[1:])
            return super(Renaming, self).pack_command(*args)

    connection = connection_to(clean_db, parser_class, cls=Renaming)
    assert roundtrip(connection, 'ECHO', 'quiet') == b'QUIET'
    client = redis.StrictRedis(connection_pool=redis.ConnectionPool(
        connection_class=Renaming, parser_class=parser_class,
        **clean_db.connection_kwargs()))
    pipe = client.pipeline()
    assert pipe.echo('a').echo('b').execute() == [b'A', b'B']
    connection.disconnect()
    client.connection_pool.disconnect()


def test_subclass_send_packed_command_gets_buffers(make_client):
    client = make_client(connection_class=Recorder)
    assert client.set('k', 'v') is True
    assert client.set('big', 'v' * 100000) is True
    assert client.pipeline().get('k').echo('e').execute() == [b'v', b'e']
    connection = client.connection_pool.get_connection('GET')
    sent = [call[1] for call in connection.calls
            if call[0] == 'send_packed_command']
    assert sent[0] == b'*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n'
    assert sent[1].startswith(b'*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$100000\r\n')
    assert sent[2].startswith(b'*1\r\n$5\r\nMULTI\r\n')
    client.connection_pool.release(connection)


def test_subclass_error_message(parser_class):
    class Messages(Connection):
        def _error_message(self, exception):
            assert isinstance(exception, OSError)
            return 'cannot reach %s: %s' % (self.port, type(exception).__name__)

    port = free_port()
    connection = Messages(port=port, parser_class=parser_class)
    with pytest.raises(ConnectionError) as info:
        connection.connect()
    assert str(info.value) == 'cannot reach %d: ConnectionRefusedError' % port


def test_read_response_error_calls_disconnect(clean_db, parser_class):
    connection = connection_to(clean_db, parser_class, cls=Recorder,
                               socket_timeout=0.2)
    connection.connect()
    connection.send_command('BLPOP', 'nothing-here', 0)
    with pytest.raises(TimeoutError):
        connection.read_response()
    assert connection.calls[-1] == ('disconnect',)
    assert connection._sock is None


def test_can_read_beyond_select_limit(clean_db, parser_class):
    # select() raises ValueError past descriptor 1023 (2.10.6 did)
    spare = []
    try:
        while not spare or spare[-1] < 1100:
            spare.append(os.open(os.devnull, os.O_RDONLY))
        connection = connection_to(clean_db, parser_class)
        connection.connect()
        assert connection._sock.fileno() > 1023
        assert connection.can_read(timeout=0) is False
        connection.send_command('ECHO', 'high')
        assert connection.can_read(timeout=5) is True
        assert connection.read_response() == b'high'
        with pytest.raises(ValueError):
            connection.can_read(timeout=-1)
        connection.disconnect()
    finally:
        for fd in spare:
            os.close(fd)


class NoDescriptor(object):
    "A socket-like object without fileno(), as a subclass's _connect made"

    def __init__(self, sock):
        self._sock = sock

    def __repr__(self):
        return 'NoDescriptor<%r>' % (self._sock,)

    def __getattr__(self, name):
        if name == 'fileno':
            raise AttributeError(name)
        return getattr(self._sock, name)


def test_pool_keeps_a_connection_whose_socket_cannot_be_polled(make_client):
    class Wrapping(Connection):
        def _connect(self):
            return NoDescriptor(super(Wrapping, self)._connect())

    client = make_client(connection_class=Wrapping)
    first = client.execute_command('CLIENT', 'ID')
    for i in range(3):
        assert client.echo(i) == str(i).encode()
    assert client.execute_command('CLIENT', 'ID') == first


# ---- a connection class with 2.10.6's interface, not inheriting it -----------

class Delegating(object):
    """2.10.6's Connection interface over a real Connection, by composition:
    what a test double, proxy or instrumented wrapper offers."""

    description_format = 'Delegating<host=%(host)s,port=%(port)s,db=%(db)s>'

    def __init__(self, **kwargs):
        self._inner = Connection(**kwargs)
        self.pid = self._inner.pid
        self.host, self.port, self.db = kwargs.get('host'), \
            kwargs.get('port'), kwargs.get('db', 0)
        self.retry_on_timeout = self._inner.retry_on_timeout
        self.commands = []

    def __repr__(self):
        return 'Delegating<%r>' % (self._inner,)

    def register_connect_callback(self, callback):
        self._inner.register_connect_callback(lambda inner: callback(self))

    def clear_connect_callbacks(self):
        self._inner.clear_connect_callbacks()

    def connect(self):
        self._inner.connect()

    def disconnect(self):
        self._inner.disconnect()

    def send_packed_command(self, command):
        self._inner.send_packed_command(command)

    def send_command(self, *args):
        self.commands.append(args[0])
        self.send_packed_command(self.pack_command(*args))

    def can_read(self, timeout=0):
        return self._inner.can_read(timeout=timeout)

    def read_response(self):
        return self._inner.read_response()

    def pack_command(self, *args):
        return self._inner.pack_command(*args)

    def pack_commands(self, commands):
        return self._inner.pack_commands(commands)


POOLS = [redis.ConnectionPool, redis.BlockingConnectionPool]


@pytest.fixture(params=POOLS, ids=lambda cls: cls.__name__)
def delegating_client(request, clean_db, parser_class):
    pool = request.param(connection_class=Delegating,
                         parser_class=parser_class,
                         **clean_db.connection_kwargs())
    yield redis.StrictRedis(connection_pool=pool)
    pool.disconnect()


def test_pools_hand_out_any_connection_class(delegating_client):
    pool = delegating_client.connection_pool
    first = pool.get_connection('GET')
    assert isinstance(first, Delegating)
    assert roundtrip(first, 'ECHO', 'one') == b'one'
    pool.release(first)
    second = pool.get_connection('GET')
    assert second is first
    assert roundtrip(second, 'ECHO', 'two') == b'two'
    pool.release(second)
    assert repr(pool).endswith('<Delegating<host=%s,port=%s,db=%s>>' % (
        first.host, first.port, first.db))


def test_pipelines_on_any_connection_class(delegating_client):
    for transaction in (True, False):
        pipe = delegating_client.pipeline(transaction=transaction)
        assert pipe.set('k', 'v').get('k').execute() == [True, b'v']


def test_commands_on_any_connection_class(delegating_client):
    assert delegating_client.set('k', 'v') is True
    assert delegating_client.get('k') == b'v'
    assert delegating_client.blpop('empty', 1) is None
    connection = delegating_client.connection_pool.get_connection('GET')
    assert connection.commands == ['SET', 'GET', 'BLPOP']
    delegating_client.connection_pool.release(connection)


def test_pubsub_on_any_connection_class(delegating_client):
    p = delegating_client.pubsub()
    p.subscribe('ch')
    assert p.get_message(timeout=5)['type'] == 'subscribe'
    delegating_client.publish('ch', 'hello')
    assert p.get_message(timeout=5)['data'] == b'hello'
    # a lost connection is replaced through connect() (its callback
    # subscribes again) and read through can_read() and read_response()
    assert delegating_client.execute_command(
        'CLIENT', 'KILL', 'TYPE', 'pubsub') == 1
    assert p.get_message(timeout=5)['type'] == 'subscribe'
    delegating_client.publish('ch', 'again')
    messages = p.listen()
    assert next(messages)['data'] == b'again'
    assert p.connection.commands == ['SUBSCRIBE', 'SUBSCRIBE']
    p.close()


# ---- pool subclasses ----------------------------------------------------------

@pytest.mark.parametrize('cls', POOLS)
def test_checkpid_override_is_called(clean_db, parser_class, cls):
    calls = []

    class Counting(cls):
        def _checkpid(self):
            calls.append(self.pid)
            super(Counting, self)._checkpid()

    pool = Counting(parser_class=parser_class, **clean_db.connection_kwargs())
    connection = pool.get_connection('GET')
    pool.release(connection)
    assert calls == [os.getpid(), os.getpid()]
    pool.disconnect()


def test_blocking_pool_takes_back_what_its_subclass_handed_out(
        clean_db, parser_class):
    class OwnCheckout(redis.BlockingConnectionPool):
        def get_connection(self, command_name, *keys, **options):
            connection = self.pool.get(timeout=self.timeout)
            return connection or self.make_connection()

    pool = OwnCheckout(max_connections=1, timeout=1,
                       parser_class=parser_class,
                       **clean_db.connection_kwargs())
    client = redis.StrictRedis(connection_pool=pool)
    for i in range(3):
        assert client.echo(i) == str(i).encode()
    assert len(pool._connections) == 1
    connection = pool.get_connection('GET')
    pool.release(connection)
    pool.release(connection)  # twice: queued once
    assert pool.pool.qsize() == 1
    pool.disconnect()


def test_from_url_connection_and_parser_class(clean_db, parser_class):
    class Tagged(Connection):
        pass

    url = 'redis://%s:%s/0' % (clean_db.host, clean_db.port)
    for cls in POOLS:
        pool = cls.from_url(url, connection_class=Tagged,
                            parser_class=parser_class)
        connection = pool.get_connection('GET')
        assert type(connection) is Tagged
        assert type(connection._parser) is parser_class
        assert roundtrip(connection, 'ECHO', 'x') == b'x'
        pool.release(connection)
        pool.disconnect()


# ---- 2.10.6's module names -----------------------------------------------------

def test_socket_buffer_reads_lines_and_values(clean_db):
    sock = socket.create_connection((clean_db.host, clean_db.port))
    buf = SocketBuffer(sock, 4)  # small reads: values span several
    if clean_db.password:
        sock.sendall(b'*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n' % (
            len(clean_db.password), clean_db.password.encode()))
        assert buf.readline() == b'+OK'
    sock.sendall(b'*2\r\n$4\r\nECHO\r\n$12\r\nhello\r\nthere\r\n')
    assert buf.readline() == b'$12'
    assert buf.read(12) == b'hello\r\nthere'
    assert buf.length == 0 and buf.bytes_written == 0
    assert repr(buf) == 'SocketBuffer<buffered=0>'
    sock.settimeout(0.1)
    with pytest.raises(TimeoutError):
        buf.readline()
    buf.purge()
    sock.close()
    buf.close()
    assert buf._sock is None and buf._buffer is None


def test_socket_buffer_server_closed(clean_db):
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(1)
    client = socket.create_connection(listener.getsockname())
    server, _ = listener.accept()
    server.sendall(b'+partial')
    server.close()
    buf = SocketBuffer(client, 65536)
    with pytest.raises(ConnectionError) as info:
        buf.readline()
    assert redis.connection.SERVER_CLOSED_CONNECTION_ERROR in str(info.value)
    client.close()
    listener.close()


def test_hiredis_flags():
    module = redis.connection
    assert hasattr(module, 'hiredis_version') == module.HIREDIS_AVAILABLE
    if not module.HIREDIS_AVAILABLE:
        return
    import hiredis
    version = module.hiredis_version
    assert str(version) == hiredis.__version__
    assert version > '0.1.4' and version >= (0, 1, 4) and version != '0.1'
    assert module.HIREDIS_SUPPORTS_CALLABLE_ERRORS is True
    assert module.HIREDIS_SUPPORTS_BYTE_BUFFER is True
    assert module.HIREDIS_USE_BYTE_BUFFER is True


class Color(enum.IntEnum):
    RED = 1


def test_encoder_and_token_as_2106():
    encoder = redis.connection.Encoder('utf-8', 'strict', False)
    assert encoder.encode(True) == b'True'
    assert encoder.encode(Color.RED) == str(Color.RED).encode()
    assert encoder.encode(7) == b'7'
    assert Token('caf\xe9').encoded_value == b'caf\xe9'  # latin-1
    assert Token.get_token('GET') is Token.get_token('GET')
    assert redis.connection.SYM_CRLF == b'\r\n'


def test_unicode_method_of_errors():
    assert RedisError('text').__unicode__() == 'text'


def test_parser_encoder_before_connect(parser_class):
    assert parser_class(socket_read_size=1024).encoder is None
    connection = UnixDomainSocketConnection(path='/nonexistent',
                                            parser_class=parser_class)
    assert connection._parser.encoder is None


# ---- a subclass that sets itself up without Connection.__init__ ---------------

class OwnSetUp(Connection):
    """Sets only the attributes 2.10.6's __init__ set that it needs, without
    calling Connection.__init__ (fakeredis' FakeConnection does this), and
    overrides can_read as 2.10.6-era code did: a timeout of None is not a
    number to it."""

    def __init__(self, host, port, db=0, password=None,
                 parser_class=None, **ignored):
        self.pid = os.getpid()
        self.host, self.port, self.db = host, port, db
        self.password = password
        self.socket_connect_timeout = None
        self.socket_keepalive = False
        self.socket_keepalive_options = {}
        self.encoder = redis.connection.Encoder('utf-8', 'strict', False)
        self.retry_on_timeout = False
        self._description_args = {'host': host, 'port': port, 'db': db}
        self._connect_callbacks = []
        self._parser = parser_class(socket_read_size=65536)
        self._sock = None

    def can_read(self, timeout=0):
        if timeout <= 0:  # TypeError for None, as in such classes
            return super(OwnSetUp, self).can_read(timeout=0)
        return super(OwnSetUp, self).can_read(timeout=timeout)


@pytest.fixture
def own_setup_client(clean_db, parser_class):
    pool = redis.ConnectionPool(connection_class=OwnSetUp,
                                parser_class=parser_class,
                                **clean_db.connection_kwargs())
    yield redis.StrictRedis(connection_pool=pool)
    pool.disconnect()


def test_subclass_without_init_serves_blocking_pops(own_setup_client):
    r = own_setup_client
    r.rpush('q', 'a')
    assert r.blpop(['q'], timeout=1) == (b'q', b'a')
    assert r.brpop(['q'], timeout=1) is None


def test_subclass_without_init_serves_watch_and_pipelines(own_setup_client):
    r = own_setup_client
    r.set('k', 1)
    with r.pipeline() as pipe:
        pipe.watch('k')
        value = int(pipe.get('k'))
        pipe.multi()
        pipe.set('k', value + 1)
        assert pipe.execute() == [True]

    def incr(pipe):
        pipe.multi()
        pipe.incr('k')
    assert r.transaction(incr, 'k') == [3]


def test_subclass_without_init_serves_listen(own_setup_client):
    r = own_setup_client
    p = r.pubsub(ignore_subscribe_messages=True)
    p.subscribe('chan')
    assert p.get_message(timeout=5) is None  # the confirmation, ignored
    r.publish('chan', 'one')
    # listen() blocks in read_response as 2.10.6 did, never asking
    # can_read(timeout=None)
    message = next(p.listen())
    assert (message['channel'], message['data']) == (b'chan', b'one')
    p.close()


class FakeDescriptor(object):
    """A socket-like object whose descriptor is not the connection's: it
    delegates I/O to a real socket but names another file (here one that
    is always readable), as test doubles built on 2.10.6 did."""

    def __init__(self, sock, fileno):
        self._sock, self._fileno = sock, fileno

    def __repr__(self):
        return 'FakeDescriptor<%d>' % self._fileno

    def fileno(self):
        return self._fileno

    def __getattr__(self, name):
        return getattr(self._sock, name)


def test_a_socket_like_object_keeps_its_watch(clean_db, parser_class):
    readable_r, readable_w = os.pipe()
    os.write(readable_w, b'x')

    class OwnSocket(Connection):
        def _connect(self):
            sock = super(OwnSocket, self)._connect()
            return FakeDescriptor(sock, readable_r)

    pool = redis.ConnectionPool(connection_class=OwnSocket,
                                parser_class=parser_class,
                                **clean_db.connection_kwargs())
    r = redis.StrictRedis(connection_pool=pool)
    try:
        first = r.execute_command('CLIENT', 'ID')
        # not taken for a connection the server closed: the same one
        assert r.execute_command('CLIENT', 'ID') == first
        with r.pipeline() as pipe:
            pipe.watch('k')
            pipe.multi()
            pipe.set('k', 1)
            assert pipe.execute() == [True]
    finally:
        pool.disconnect()
        os.close(readable_r)
        os.close(readable_w)
