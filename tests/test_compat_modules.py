"""What code written against 2.10.6 may use of redis (the package),
redis._compat, redis.utils, redis.lock and redis.sentinel besides their
documented API: every module-level name, and the overridable methods a
subclass sees called, when, and with which arguments.

Locks run against the harness's server and the sentinel tests against a
replication group of their own with real sentinels, on both parsers.
"""
import io
import itertools
import json
import os
import queue
import signal
import string
import subprocess
import sys
import threading
import warnings

import pytest

import redis
import redis._compat
import redis.connection
import redis.lock
import redis.sentinel
import redis.utils
from redis.exceptions import LockError, ReadOnlyError
from redis.lock import Lock, LuaLock
from redis.sentinel import (
    MasterNotFoundError, Sentinel, SentinelConnectionPool,
    SentinelManagedConnection, SlaveNotFoundError,
)

from faultproxy import FaultProxy
from sentinel_cluster import (
    SentinelCluster, address, dead_addresses, sentinel_factory,
)

# The module-level names of 2.10.6 on Python 3 (its _compat: the names of
# the Python 3 branch and those defined for both), standard library
# modules it imported included.
NAMES_2106 = {
    'redis': (
        'AuthenticationError BlockingConnectionPool BusyLoadingError '
        'Connection ConnectionError ConnectionPool DataError '
        'InvalidResponse PubSubError ReadOnlyError Redis RedisError '
        'ResponseError SSLConnection StrictRedis TimeoutError '
        'UnixDomainSocketConnection VERSION WatchError _compat client '
        'connection exceptions from_url lock utils __version__ __all__'),
    'redis._compat': (
        'BytesIO Empty Full InterruptedError LifoQueue Queue ascii_letters '
        'b basestring byte_to_chr bytes errno imap iteritems iterkeys '
        'itervalues izip long nativestr next parse_qs recv recv_into '
        'safe_unicode select sys u unichr unicode unquote urlparse xrange'),
    'redis.utils': 'HIREDIS_AVAILABLE contextmanager dummy from_url pipeline',
    'redis.connection': (
        'BytesIO Empty Full LifoQueue b basestring byte_to_chr bytes chain '
        'imap iteritems long os parse_qs recv recv_into select socket ssl '
        'sys threading unicode unquote urlparse warnings with_statement '
        'xrange'),
    'redis.lock': (
        'Lock LockError LuaLock WatchError b dummy mod_time threading uuid'),
    'redis.sentinel': (
        'Connection ConnectionError ConnectionPool MasterNotFoundError '
        'ReadOnlyError ResponseError Sentinel SentinelConnectionPool '
        'SentinelManagedConnection SlaveNotFoundError StrictRedis '
        'TimeoutError iteritems nativestr os random weakref xrange'),
}


@pytest.mark.parametrize('module', sorted(NAMES_2106))
def test_every_2106_module_name_exists(module):
    namespace = vars(sys.modules[module])
    missing = [name for name in NAMES_2106[module].split()
               if name not in namespace]
    assert missing == []


def test_hiredis_module_name_when_installed():
    try:
        import hiredis
    except ImportError:
        assert redis.utils.HIREDIS_AVAILABLE is False
        assert not hasattr(redis.utils, 'hiredis')
    else:
        assert redis.utils.HIREDIS_AVAILABLE is True
        assert redis.utils.hiredis is hiredis


def test_import_redis_makes_compat_reachable():
    # a fresh interpreter: this one imported redis._compat itself
    code = ('import redis; print(redis._compat.unichr(97), '
            'redis._compat.nativestr(b"x"))')
    out = subprocess.check_output([sys.executable, '-c', code],
                                  cwd=os.path.dirname(os.path.dirname(
                                      os.path.abspath(redis.__file__))))
    assert out.decode().split() == ['a', 'x']


# ---- redis._compat ---------------------------------------------------------

def test_compat_type_names():
    c = redis._compat
    assert (c.basestring, c.unicode, c.safe_unicode, c.bytes, c.long) == \
        (str, str, str, bytes, int)
    assert (c.unichr, c.next, c.xrange, c.imap, c.izip) == \
        (chr, next, range, map, zip)
    assert c.InterruptedError is InterruptedError
    assert c.BytesIO is io.BytesIO
    assert c.ascii_letters == string.ascii_letters
    assert (c.Queue, c.LifoQueue, c.Empty, c.Full) == \
        (queue.Queue, queue.LifoQueue, queue.Empty, queue.Full)
    assert c.errno is __import__('errno') and c.sys is sys
    assert c.urlparse('redis://h:1/2').port == 1
    assert c.parse_qs('db=3&db=4') == {'db': ['3', '4']}
    assert c.unquote('a%2Fb') == 'a/b'


def test_compat_helpers():
    c = redis._compat
    data = {'a': 1}
    for helper, expected in ((c.iteritems, ('a', 1)), (c.iterkeys, 'a'),
                             (c.itervalues, 1)):
        iterator = helper(data)
        assert iter(iterator) is iterator
        assert list(iterator) == [expected]
    assert c.nativestr(b'caf\xc3\xa9') == 'caf\xe9'
    assert c.nativestr(b'\xff') == '\ufffd'
    assert c.nativestr('x') == 'x'
    assert c.b('caf\xe9') == b'caf\xe9'  # latin-1, as 2.10.6
    assert c.b(b'\xff') == b'\xff'
    assert c.u('x') == 'x'
    assert c.byte_to_chr(b'A'[0]) == 'A'
    assert c.unichr(0x263a) == '\u263a'
    assert list(c.izip(c.xrange(2), c.imap(str, [5, 6]))) == \
        [(0, '5'), (1, '6')]
    lifo = c.LifoQueue()
    lifo.put(1)
    lifo.put(2)
    assert lifo.get_nowait() == 2
    with pytest.raises(c.Empty):
        c.Queue().get_nowait()
    full = c.Queue(1)
    full.put(1)
    with pytest.raises(c.Full):
        full.put_nowait(2)


@pytest.fixture
def blocked_socket(r, make_client):
    """(socket, wake): a socket of the harness's server with a BLPOP on it
    waiting for ever, and a function that ends the wait. The function
    uses a client of its own, so a signal handler can call it."""
    connection = r.connection_pool.get_connection('BLPOP')
    connection.connect()
    connection._sock.settimeout(30)  # a broken test must not hang
    connection.send_command('BLPOP', 'compat:wake', 0)
    waker = make_client()
    woken = []

    def wake(*args):
        woken.append(args[0] if args else None)
        waker.rpush('compat:wake', 'up')
    yield connection._sock, wake, woken
    connection.disconnect()
    r.connection_pool.release(connection)


@pytest.fixture
def alarm_wakes():
    """Run a function on SIGALRM shortly: the system call the test blocks
    in is interrupted, and must carry on by itself (PEP 475), as 2.10.6's
    select/recv wrappers made sure on older Pythons."""
    previous = signal.getsignal(signal.SIGALRM)

    def arm(wake):
        signal.signal(signal.SIGALRM, wake)
        signal.setitimer(signal.ITIMER_REAL, 0.05)
    yield arm
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


REPLY = b'*2\r\n$11\r\ncompat:wake\r\n$2\r\nup\r\n'


def read_with_recv(sock):
    return redis._compat.recv(sock, 1024)


def read_with_recv_into(sock):
    buffer = bytearray(1024)
    return bytes(buffer[:redis._compat.recv_into(sock, buffer)])


def read_after_select(sock):
    assert redis._compat.select([sock], [], [], 30)[0] == [sock]
    return sock.recv(1024)


@pytest.mark.parametrize('read', [read_with_recv, read_with_recv_into,
                                  read_after_select])
def test_compat_socket_calls_across_a_signal(blocked_socket, alarm_wakes,
                                             read):
    sock, wake, woken = blocked_socket
    alarm_wakes(wake)
    # the reply can only come after the signal handler pushed
    data = read(sock)
    while len(data) < len(REPLY):
        data += sock.recv(1024)
    assert data == REPLY and woken == [signal.SIGALRM]


def test_compat_recv_passes_arguments_on(blocked_socket):
    sock, wake, woken = blocked_socket
    wake()
    assert redis._compat.select([sock], [], [], 30)[0] == [sock]
    assert redis._compat.recv(sock, 4) == b'*2\r\n'
    buffer = bytearray(64)
    count = redis._compat.recv_into(sock, buffer, 5)
    assert bytes(buffer[:count]) == b'$11\r\n'


# ---- redis.utils -----------------------------------------------------------

def test_utils_pipeline_executes_on_exit(r):
    with redis.utils.pipeline(r) as pipe:
        pipe.set('a', 1).incr('a')
        assert r.get('a') is None
    assert r.get('a') == b'2'
    with pytest.raises(ZeroDivisionError):
        with redis.utils.pipeline(r) as pipe:
            pipe.set('b', 1)
            1 / 0
    # not executed when the block raised
    assert r.get('b') is None


def test_utils_dummy():
    holder = redis.utils.dummy()
    holder.token = None
    assert holder.token is None


# ---- redis.lock ------------------------------------------------------------

def recording(base, *names):
    """A subclass of ``base`` whose methods ``names`` append (name, *args)
    to the class's list ``calls``, then do their work"""
    def recorder(name):
        work = getattr(base, name)

        def method(self, *args):
            self.calls.append((name,) + args)
            return work(self, *args)
        return method
    namespace = dict((name, recorder(name)) for name in names)
    namespace['calls'] = []
    return type('Recording' + base.__name__, (base,), namespace)


@pytest.fixture(params=[Lock, LuaLock], ids=['Lock', 'LuaLock'])
def recording_lock_class(request):
    return recording(request.param, 'do_acquire', 'do_release', 'do_extend')


def test_lock_calls_do_methods(r, recording_lock_class):
    lock = recording_lock_class(r, 'compat:lock', timeout=10)
    calls = lock.calls
    assert lock.acquire() is True
    [(name, token)] = calls
    assert name == 'do_acquire'
    assert isinstance(token, bytes) and len(token) == 32
    int(token, 16)
    assert lock.local.token == token and r.get('compat:lock') == token
    extra = 1.5
    assert lock.extend(extra) is True
    assert calls[1] == ('do_extend', extra) and calls[1][1] is extra
    lock.release()
    assert calls[2:] == [('do_release', token)]
    assert lock.local.token is None and r.get('compat:lock') is None


def test_lock_checks_before_do_methods(r, recording_lock_class):
    lock = recording_lock_class(r, 'compat:lock')
    with pytest.raises(LockError):
        lock.release()
    with pytest.raises(LockError):
        lock.extend(1)
    with lock:
        # no timeout: extend() refuses without calling do_extend
        with pytest.raises(LockError):
            lock.extend(1)
    [(acquired, token), (released, expected)] = lock.calls
    assert (acquired, released) == ('do_acquire', 'do_release')
    assert token == expected


def test_lock_retries_with_one_token(r, recording_lock_class):
    r.set('compat:lock', 'someone')

    class FreedOnThirdTry(recording_lock_class):
        def do_acquire(self, token):
            if len(self.calls) == 2:
                r.delete('compat:lock')
            return super(FreedOnThirdTry, self).do_acquire(token)

    lock = FreedOnThirdTry(r, 'compat:lock', sleep=0.01)
    assert lock.acquire(blocking=False) is False
    assert len(lock.calls) == 1
    del lock.calls[:]
    assert lock.acquire() is True
    tokens = [arg for name, arg in lock.calls]
    assert len(tokens) == 3 and len(set(tokens)) == 1
    assert r.get('compat:lock') == tokens[0]
    lock.release()


def test_lock_local_storage(r):
    per_thread = Lock(r, 'compat:lock')
    assert isinstance(per_thread.local, threading.local)
    shared = Lock(r, 'compat:lock', thread_local=False)
    # 2.10.6 kept the shared token on a redis.utils.dummy
    assert isinstance(shared.local, redis.utils.dummy)
    assert shared.acquire() is True
    token = shared.local.token
    assert token not in repr(shared.local).encode()
    seen = []
    thread = threading.Thread(target=lambda: seen.append(
        (shared.local.token, per_thread.local.token)))
    thread.start()
    thread.join()
    assert seen == [(token, None)]
    shared.release()


# A Lua script standing in for one of LuaLock's: it records the KEYS and
# ARGV it was called with in a list, and succeeds.
RECORD_ARGS = """
    redis.call('rpush', 'compat:args', KEYS[1], unpack(ARGV))
    return 1
"""


@pytest.mark.parametrize('timeout, expected', [(2.5, b'2500'), (None, b'')])
def test_lualock_script_arguments(r, timeout, expected):
    recorder = r.register_script(RECORD_ARGS)

    class Recorded(LuaLock):
        lua_acquire = lua_release = lua_extend = recorder

    lock = Recorded(r, 'compat:lock', timeout=timeout)
    assert lock.acquire() is True
    token = lock.local.token
    if timeout is not None:
        assert lock.extend(1.5) is True
    lock.release()
    seen = r.lrange('compat:args', 0, -1)
    assert seen[:3] == [b'compat:lock', token, expected]
    if timeout is not None:
        assert seen[3:6] == [b'compat:lock', token, b'1500']
        seen = seen[3:]
    assert seen[3:] == [b'compat:lock', token]


def test_lualock_registers_scripts_on_lualock(r):
    saved = LuaLock.lua_acquire, LuaLock.lua_release, LuaLock.lua_extend
    LuaLock.lua_acquire = LuaLock.lua_release = LuaLock.lua_extend = None
    try:
        class Sub(LuaLock):
            pass
        Sub(r, 'compat:lock')
        # LuaLock's __init__ registers them on LuaLock (as 2.10.6 did)
        assert 'lua_acquire' not in vars(Sub)
        for name, script in (('lua_acquire', LuaLock.LUA_ACQUIRE_SCRIPT),
                             ('lua_release', LuaLock.LUA_RELEASE_SCRIPT),
                             ('lua_extend', LuaLock.LUA_EXTEND_SCRIPT)):
            assert isinstance(getattr(LuaLock, name), redis.client.Script)
            assert getattr(LuaLock, name).script == script
        first = LuaLock.lua_acquire
        LuaLock.register_scripts(r)
        assert LuaLock.lua_acquire is first
    finally:
        LuaLock.lua_acquire, LuaLock.lua_release, LuaLock.lua_extend = saved


# ---- redis.sentinel --------------------------------------------------------

_names = itertools.count()


@pytest.fixture(scope='module')
def group():
    "Master, 2 replicas, 2 sentinels, slow to call a node down"
    service = 'compat-%d-%d' % (os.getpid(), next(_names))
    with SentinelCluster(service_name=service, sentinels=2,
                         down_after_ms=5000, failover_timeout=60000) as g:
        yield g


@pytest.fixture
def make_sentinel(group, parser_class, monkeypatch):
    "make_sentinel(cls=Sentinel, addresses=None, **kwargs)"
    factory = sentinel_factory(group.sentinel_addresses, parser_class,
                               monkeypatch)
    make = next(factory)
    yield lambda cls=Sentinel, addresses=None, **kwargs: make(
        addresses, cls, **kwargs)
    next(factory, None)


def connection_of(client):
    "The one idle connection of a client that ran a command"
    [connection] = client.connection_pool._available_connections
    return connection


# what 2.10.6's Sentinel methods called of each other, and its pools of it
SENTINEL_HOOKS = ('discover_master', 'discover_slaves', 'filter_slaves',
                  'check_master_state')


def test_master_pool_calls_discover_master(group, make_sentinel):
    sentinel = make_sentinel(recording(Sentinel, *SENTINEL_HOOKS))
    master = sentinel.master_for(group.service_name)
    assert master.set('compat', 1) is True
    names = [call[0] for call in sentinel.calls]
    assert names == ['discover_master', 'check_master_state']
    assert sentinel.calls[0] == ('discover_master', group.service_name)
    state, service = sentinel.calls[1][1:]
    assert service == group.service_name
    assert (state['ip'], state['port']) == address(group.master)
    assert state['is_master'] is True
    # a connection asks once, when it connects
    assert master.get('compat') == b'1'
    assert len(sentinel.calls) == 2
    assert master.connection_pool.master_address == address(group.master)
    master.delete('compat')


def test_check_master_state_decides(group, make_sentinel):
    class Refusing(recording(Sentinel, *SENTINEL_HOOKS)):
        def check_master_state(self, state, service_name):
            super(Refusing, self).check_master_state(state, service_name)
            return False

    sentinel = make_sentinel(Refusing)
    with pytest.raises(MasterNotFoundError):
        sentinel.discover_master(group.service_name)
    # each sentinel was asked, each answer checked
    checked = [c for c in sentinel.calls if c[0] == 'check_master_state']
    assert len(checked) == len(group.sentinels)


def test_discover_master_override_is_where_connections_go(group,
                                                          make_sentinel):
    # e.g. a subclass mapping the addresses sentinels know to reachable ones
    with FaultProxy(group.master.host, group.master.port) as proxy:
        class Mapped(Sentinel):
            def discover_master(self, service_name):
                real = super(Mapped, self).discover_master(service_name)
                assert real == address(group.master)
                return proxy.host, proxy.port

            def discover_slaves(self, service_name):
                return []

        sentinel = make_sentinel(Mapped)
        master = sentinel.master_for(group.service_name)
        assert master.set('compat', 1) is True
        connection = connection_of(master)
        assert (connection.host, connection.port) == (proxy.host,
                                                      proxy.port)
        assert master.connection_pool.master_address == (proxy.host,
                                                         proxy.port)
        assert master.delete('compat') == 1
        # a slave pool with no live slave falls back to the same override
        slave = sentinel.slave_for(group.service_name)
        assert slave.ping() is True
        assert connection_of(slave).port == proxy.port


def test_slave_pool_calls_discover_and_filter_slaves(group, make_sentinel):
    sentinel = make_sentinel(recording(Sentinel, *SENTINEL_HOOKS))
    slave = sentinel.slave_for(group.service_name)
    assert slave.ping() is True
    names = [call[0] for call in sentinel.calls]
    assert names == ['discover_slaves', 'filter_slaves']
    assert sentinel.calls[0] == ('discover_slaves', group.service_name)
    states = sentinel.calls[1][1]
    assert sorted((s['ip'], s['port']) for s in states) == \
        sorted(address(replica) for replica in group.replicas)
    assert all(s['is_slave'] is True for s in states)
    pool = slave.connection_pool
    assert isinstance(pool.slave_rr_counter, int)
    assert (connection_of(slave).host, connection_of(slave).port) in \
        [address(replica) for replica in group.replicas]
    # a slave answers writes with READONLY, and a slave pool says so
    with pytest.raises(ReadOnlyError):
        slave.set('compat', 1)


def test_pool_overrides_are_called_by_connections(group, make_sentinel):
    calls = []
    with FaultProxy(group.master.host, group.master.port) as proxy:
        class Pool(SentinelConnectionPool):
            def get_master_address(self):
                calls.append('get_master_address')
                return proxy.host, proxy.port

            def rotate_slaves(self):
                calls.append('rotate_slaves')
                # the dead ones are skipped
                for dead in dead_addresses(2):
                    yield dead
                yield address(group.replicas[1])

        sentinel = make_sentinel()
        master = sentinel.master_for(group.service_name,
                                     connection_pool_class=Pool)
        assert type(master.connection_pool) is Pool
        assert master.set('compat', 1) is True
        assert calls == ['get_master_address']
        assert connection_of(master).port == proxy.port
        assert master.delete('compat') == 1
        assert calls == ['get_master_address']

        slave = sentinel.slave_for(group.service_name,
                                   connection_pool_class=Pool)
        assert slave.ping() is True
        assert calls[1:] == ['rotate_slaves']
        assert connection_of(slave).port == group.replicas[1].port


def test_slaves_that_run_out(group, make_sentinel):
    class Pool(SentinelConnectionPool):
        def rotate_slaves(self):
            # ends without raising, unlike SentinelConnectionPool's
            for dead in dead_addresses(2):
                yield dead

    sentinel = make_sentinel()
    slave = sentinel.slave_for(group.service_name,
                               connection_pool_class=Pool)
    with pytest.raises(SlaveNotFoundError):
        slave.ping()


def test_connection_overrides(group, make_sentinel):
    addresses = []

    class Recording(SentinelManagedConnection):
        def connect_to(self, address):
            addresses.append(address)
            return super(Recording, self).connect_to(address)

    sentinel = make_sentinel()
    master = sentinel.master_for(group.service_name,
                                 connection_class=Recording,
                                 redis_class=redis.Redis)
    assert type(master) is redis.Redis
    assert master.ping() is True
    assert addresses == [address(group.master)]
    assert type(connection_of(master)) is Recording
    # Connection's defaults until connect_to() picked an address, as 2.10.6
    fresh = Recording(connection_pool=master.connection_pool)
    assert (fresh.host, fresh.port) == ('localhost', 6379)
    assert repr(fresh) == 'Recording<service=%s>' % group.service_name


def test_sentinel_that_answers_changes_places_with_the_first(
        group, make_sentinel):
    dead = dead_addresses(2)
    real = group.sentinel_addresses[0]
    sentinel = make_sentinel(addresses=dead + [real])
    assert sentinel.discover_master(group.service_name) == \
        address(group.master)
    assert [Sentinel.address_of(c) for c in sentinel.sentinels] == \
        [real, dead[1], dead[0]]


def test_master_for_and_slave_for_arguments(group, make_sentinel):
    sentinel = make_sentinel(db=0, socket_keepalive=True)
    built = []

    class Pool(SentinelConnectionPool):
        def __init__(self, service_name, sentinel_manager, **kwargs):
            built.append((service_name, sentinel_manager, dict(kwargs)))
            super(Pool, self).__init__(service_name, sentinel_manager,
                                       **kwargs)

    class Client(redis.StrictRedis):
        pass

    for method, is_master in ((sentinel.master_for, True),
                              (sentinel.slave_for, False)):
        client = method(group.service_name, redis_class=Client,
                        connection_pool_class=Pool, socket_keepalive=False,
                        is_master=not is_master)
        assert type(client) is Client
        service_name, manager, kwargs = built.pop()
        assert (service_name, manager) == (group.service_name, sentinel)
        # the Sentinel's connection_kwargs, overridden by the call's, and
        # is_master set by the method whatever the caller said
        assert kwargs['is_master'] is is_master
        assert kwargs['db'] == 0 and kwargs['socket_keepalive'] is False
        pool = client.connection_pool
        assert (pool.service_name, pool.sentinel_manager, pool.is_master,
                pool.check_connection, pool.master_address,
                pool.slave_rr_counter) == \
            (group.service_name, sentinel, is_master, False, None, None)
        assert pool.connection_class is SentinelManagedConnection
        assert 'is_master' not in pool.connection_kwargs
        assert client.ping() is True
        # set by the first connection of a master pool, of a slave pool
        assert (pool.master_address is None, pool.slave_rr_counter is None) \
            == (not is_master, is_master)
    assert sentinel.connection_kwargs['socket_keepalive'] is True


def test_forked_child_reinitialises_the_pool(group, make_sentinel):
    inits = []

    class Pool(SentinelConnectionPool):
        def __init__(self, *args, **kwargs):
            inits.append((args[0], sorted(kwargs)))
            super(Pool, self).__init__(*args, **kwargs)

    sentinel = make_sentinel()
    slave = sentinel.slave_for(group.service_name, connection_pool_class=Pool,
                               max_connections=7)
    assert slave.ping() is True
    parent_connection = connection_of(slave)
    del inits[:]
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12+ warns about fork() in a process with threads
        warnings.simplefilter('ignore', DeprecationWarning)
        pid = os.fork()
    if pid == 0:
        try:
            ok = slave.ping() is True
            pool = slave.connection_pool
            report = [ok, inits, pool.max_connections,
                      pool.connection_kwargs['connection_pool'].service_name]
            os.write(write_end, json.dumps(report).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, 'rb') as reader:
        report = reader.read().decode()
    assert os.waitpid(pid, 0)[1] == 0
    ok, child_inits, max_connections, service = json.loads(report)
    assert ok is True
    # 2.10.6's arguments: the pool's own settings and its connection_kwargs
    [(service_name, names)] = child_inits
    assert service_name == group.service_name
    assert {'is_master', 'check_connection', 'connection_class',
            'max_connections', 'connection_pool', 'parser_class'} <= \
        set(names)
    assert (max_connections, service) == (7, group.service_name)
    # the parent's connection was left alone
    assert connection_of(slave) is parent_connection
    assert slave.ping() is True



def test_import_does_not_load_distutils():
    # redis.connection.StrictVersion (a 2.10.6 name) is loaded on first
    # use: importing distutils costs a third of a second at every start
    code = ('import sys, redis, redis.connection; '
            'print("distutils" in sys.modules)')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == 'False'
