"""redis.sentinel against real sentinels: a master, two replicas and three
``redis-server --sentinel`` processes (tests/sentinel_cluster.py).

Most tests share one group that never fails over; the failover tests build
their own, so test order does not matter.
"""
import gc
import itertools
import os
import signal
import time
import warnings

import pytest

import redis
import redis.sentinel
from redis.exceptions import ConnectionError, ReadOnlyError
from redis.sentinel import (
    MasterNotFoundError, Sentinel, SentinelConnectionPool,
    SentinelManagedConnection, SlaveNotFoundError,
)

from faultproxy import FaultProxy
from sentinel_cluster import (
    PARSERS, SERVICE, SentinelCluster, WriteLoop, address, check_outage,
    check_writes, connected_addresses, dead_addresses,
    sentinel_factory, start_write_loops, subscribers, wait_until,
    watch_writes_while_master,
)


@pytest.fixture(scope='module')
def cluster():
    "The shared group: slow to call a node down, so it never fails over"
    with SentinelCluster(down_after_ms=5000, failover_timeout=60000) as group:
        yield group


_names = itertools.count()


def failover_group():
    """A group of its own for a test that fails it over. Its service name
    is unique, so sentinels of other test runs on this machine that might
    reach one of its ports could never mistake it for theirs."""
    return SentinelCluster(service_name='failover-%d-%d'
                           % (os.getpid(), next(_names)))


@pytest.fixture
def make_sentinel(cluster, parser_class, monkeypatch):
    """make_sentinel(addresses=None, **kwargs): a Sentinel of the shared
    group (by default) on the test's parser."""
    yield from sentinel_factory(cluster.sentinel_addresses, parser_class,
                                monkeypatch)


@pytest.fixture
def sentinel(make_sentinel):
    return make_sentinel()


# ---- the seed's examples ---------------------------------------------------

def test_discover_master(cluster, sentinel):
    assert sentinel.discover_master(SERVICE) == ('127.0.0.1',
                                                 cluster.master.port)


def test_discover_slaves(cluster, sentinel):
    slaves = sentinel.discover_slaves(SERVICE)
    assert sorted(slaves) == sorted(address(r) for r in cluster.replicas)
    assert all(isinstance(port, int) for _, port in slaves)


def test_master_for_writes_slave_for_reads(cluster, sentinel, parser_class):
    master = sentinel.master_for(SERVICE, socket_timeout=2.0)
    slave = sentinel.slave_for(SERVICE, socket_timeout=2.0)
    assert isinstance(master, redis.StrictRedis)
    assert isinstance(master.connection_pool, SentinelConnectionPool)
    assert master.set('foo', 'bar') is True
    assert master.get('foo') == b'bar'
    wait_until(lambda: slave.get('foo') == b'bar', 5,
               'the write did not reach the slave')
    [connection] = slave.connection_pool._available_connections
    assert isinstance(connection._parser, parser_class)
    assert (connection.host, connection.port) in \
        [address(r) for r in cluster.replicas]
    with pytest.raises(ReadOnlyError):
        slave.set('foo', 'baz')
    master.delete('foo')


def test_decode_responses(cluster, sentinel):
    master = sentinel.master_for(SERVICE, decode_responses=True)
    master.set('text', 'h\u00e9')
    assert master.get('text') == 'h\u00e9'
    master.delete('text')


def test_slaves_round_robin(cluster, sentinel):
    pool = sentinel.slave_for(SERVICE).connection_pool
    connections = [pool.get_connection('GET') for _ in range(4)]
    try:
        for connection in connections:
            connection.connect()
        served = [(c.host, c.port) for c in connections]
        # each new connection goes to the next slave
        assert served[0] != served[1]
        assert served[:2] == served[2:]
        assert sorted(served[:2]) == sorted(address(r)
                                            for r in cluster.replicas)
        for connection in connections:
            connection.send_command('ROLE')
            assert connection.read_response()[0] == b'slave'
    finally:
        for connection in connections:
            pool.release(connection)
        pool.disconnect()


# ---- which sentinel answers ------------------------------------------------

def test_stopped_sentinel_is_skipped(cluster, sentinel):
    first, second = cluster.sentinels[:2]
    assert Sentinel.address_of(sentinel.sentinels[0]) == address(first)
    first.kill()
    try:
        assert sentinel.discover_master(SERVICE) == address(cluster.master)
        # the sentinel that answered is asked first from now on
        assert Sentinel.address_of(sentinel.sentinels[0]) == address(second)
        assert sorted(Sentinel.address_of(c) for c in sentinel.sentinels) \
            == sorted(cluster.sentinel_addresses)
        master = sentinel.master_for(SERVICE)
        assert master.ping() is True
    finally:
        cluster.restart(first)
        cluster.wait_until_settled()


def test_sentinel_that_times_out_is_skipped(cluster, make_sentinel):
    real = cluster.sentinels[0]
    with FaultProxy(real.host, real.port) as proxy:
        proxy.stall('down')
        sentinel = make_sentinel([(proxy.host, proxy.port),
                                  address(cluster.sentinels[1])],
                                 socket_timeout=0.3)
        started = time.monotonic()
        assert sentinel.discover_master(SERVICE) == address(cluster.master)
        # the stalled one never answers: only its 0.3 s timeout ends the wait
        assert time.monotonic() - started < 30
        assert Sentinel.address_of(sentinel.sentinels[0]) == \
            address(cluster.sentinels[1])


def test_unknown_service(sentinel):
    with pytest.raises(MasterNotFoundError) as info:
        sentinel.discover_master('nosuchservice')
    assert "'nosuchservice'" in str(info.value)
    assert sentinel.discover_slaves('nosuchservice') == []
    with pytest.raises(MasterNotFoundError):
        sentinel.master_for('nosuchservice').ping()
    with pytest.raises(SlaveNotFoundError):
        sentinel.slave_for('nosuchservice').ping()


def test_all_sentinels_down(make_sentinel):
    sentinel = make_sentinel(dead_addresses())
    with pytest.raises(MasterNotFoundError) as info:
        sentinel.discover_master(SERVICE)
    assert isinstance(info.value, ConnectionError)
    assert sentinel.discover_slaves(SERVICE) == []
    with pytest.raises(MasterNotFoundError):
        sentinel.master_for(SERVICE).set('foo', 'bar')
    with pytest.raises(SlaveNotFoundError) as info:
        sentinel.slave_for(SERVICE).get('foo')
    assert isinstance(info.value, ConnectionError)


def test_min_other_sentinels(make_sentinel, cluster):
    assert make_sentinel(min_other_sentinels=2).discover_master(SERVICE) \
        == address(cluster.master)
    with pytest.raises(MasterNotFoundError):
        make_sentinel(min_other_sentinels=3).discover_master(SERVICE)


def test_check_master_state_and_filter_slaves(sentinel):
    state = {'is_master': True, 'is_sdown': False, 'is_odown': False,
             'num-other-sentinels': 2}
    assert sentinel.check_master_state(state, SERVICE)
    for flag in ('is_sdown', 'is_odown'):
        assert not sentinel.check_master_state(dict(state, **{flag: True}),
                                               SERVICE)
    assert not sentinel.check_master_state(dict(state, is_master=False),
                                           SERVICE)
    slaves = [{'ip': '10.0.0.%d' % n, 'port': 6379, 'is_sdown': n == 2,
               'is_odown': n == 3, 'is_disconnected': n == 4}
              for n in range(1, 5)]
    assert sentinel.filter_slaves(slaves) == [('10.0.0.1', 6379)]


# ---- slaves down -----------------------------------------------------------

def test_slave_for_falls_back_to_master(cluster, sentinel):
    slave = sentinel.slave_for(SERVICE)
    for replica in cluster.replicas:
        replica.kill()
    try:
        # before and after the sentinels notice the slaves are gone
        assert slave.ping() is True
        assert connected_addresses(slave.connection_pool) == \
            [address(cluster.master)]
        wait_until(lambda: sentinel.discover_slaves(SERVICE) == [], 10,
                   'the sentinels did not notice the slaves left')
        slave.connection_pool.disconnect()
        assert slave.ping() is True
        assert connected_addresses(slave.connection_pool) == \
            [address(cluster.master)]
    finally:
        for replica in cluster.replicas:
            cluster.restart(replica)
        for replica in cluster.replicas:
            replica.wait_for_sync()
        cluster.wait_until_settled()


def test_no_slave_and_no_master(make_sentinel):
    slave = make_sentinel(dead_addresses()).slave_for(SERVICE)
    with pytest.raises(SlaveNotFoundError) as info:
        slave.get('foo')
    assert str(info.value) == "No slave found for 'mymaster'"


# ---- the master pool -------------------------------------------------------

def test_pool_keeps_connections_while_the_master_stays(cluster, sentinel):
    master = sentinel.master_for(SERVICE)
    pool = master.connection_pool
    held = [pool.get_connection('SET') for _ in range(3)]
    for connection in held:
        connection.connect()
    sockets = [connection._sock for connection in held]
    for connection in held:
        pool.release(connection)
    # every new connection asks the sentinels; the answer is the same
    # master, so nothing is dropped
    taken = [pool.get_connection('SET') for _ in range(4)]
    assert set(taken[:3]) == set(held)
    taken[3].connect()
    for connection in taken:
        pool.release(connection)
    assert pool.master_address == address(cluster.master)
    assert [c._sock for c in held] == sockets
    assert connected_addresses(pool) == [address(cluster.master)] * 4


def test_pool_drops_only_connections_to_the_old_address(cluster, sentinel):
    pool = sentinel.master_for(SERVICE).connection_pool
    stale = pool.get_connection('SET')
    # as if the master had been at the first replica's address before
    stale.connect_to(address(cluster.replicas[0]))
    pool.master_address = address(cluster.replicas[0])
    current = pool.get_connection('SET')
    pool.release(stale)
    current.connect()
    assert pool.master_address == address(cluster.master)
    # the idle connection to the old address is closed, the one in use to
    # the new address is untouched
    assert stale._sock is None
    assert (current.host, current.port) == address(cluster.master)
    assert current._sock is not None
    pool.release(current)
    assert connected_addresses(pool) == [address(cluster.master)]


class StaleSentinels(object):
    """Stands in for a Sentinel whose sentinels still name a master that
    was demoted: they answer with a replica's address."""

    def __init__(self, demoted, real):
        self.demoted = demoted
        self.real = real

    def __repr__(self):
        return 'StaleSentinels<demoted=%s:%s>' % self.demoted

    def discover_master(self, service_name):
        return self.demoted

    def discover_slaves(self, service_name):
        return self.real.discover_slaves(service_name)


def test_demoted_master_is_dropped(cluster, sentinel, parser_class):
    manager = StaleSentinels(address(cluster.replicas[0]), sentinel)
    pool = SentinelConnectionPool(SERVICE, manager, parser_class=parser_class)
    master = redis.StrictRedis(connection_pool=pool)
    assert master.get('anything') is None
    [connection] = pool._available_connections
    with pytest.raises(ConnectionError) as info:
        master.set('foo', 'bar')
    assert not isinstance(info.value, ReadOnlyError)
    assert 'now a slave' in str(info.value)
    assert connection._sock is None
    # the next command asks the sentinels again (here: the real master)
    manager.demoted = address(cluster.master)
    assert master.set('foo', 'bar') is True
    assert connection.port == cluster.master.port
    assert master.delete('foo') == 1


def test_check_connection_pings(cluster, sentinel):
    master = sentinel.master_for(SERVICE, check_connection=True)
    assert master.connection_pool.check_connection is True
    monitor = cluster.master.raw_connection()
    try:
        assert monitor.command('MONITOR') == 'OK'
        assert master.echo('x') == b'x'
        [connection] = master.connection_pool._available_connections
        me = '%s:%s' % connection._sock.getsockname()
        seen = []
        while len(seen) < 2:
            line = monitor.read_reply()
            if me in line:
                seen.append(line.split('"', 1)[1])
        # the new connection PINGed before the first command
        assert seen == ['PING"', 'ECHO" "x"']
    finally:
        monitor.close()


# ---- the failover watcher --------------------------------------------------

def watched_master(sentinel, cluster):
    "A master_for client whose pool the failover watcher already serves"
    master = sentinel.master_for(SERVICE)
    assert master.ping() is True
    watcher = sentinel.failover_watcher
    assert watcher.ready.wait(5)
    assert watcher.subscribed_to == sorted(cluster.sentinel_addresses)
    return master, watcher


def test_watcher_ends_with_its_pools(cluster, sentinel):
    master, watcher = watched_master(sentinel, cluster)
    thread = watcher.thread
    assert thread.is_alive() and thread.daemon
    links = ['%s:%s' % link._sock.getsockname()
             for link in watcher.links.values()]
    assert len(links) == 3
    for server in cluster.sentinels:
        assert len(subscribers(server) & set(links)) == 1
    # a second master pool shares the thread
    other = sentinel.master_for(SERVICE)
    assert other.ping() is True
    assert watcher.thread is thread
    del master, other
    gc.collect()
    thread.join(5)
    assert not thread.is_alive()
    assert watcher.thread is None
    for server in cluster.sentinels:
        wait_until(lambda: not subscribers(server) & set(links), 5,
                   'the watcher left its subscriptions open')
    # a new pool starts it again
    master, watcher = watched_master(sentinel, cluster)
    assert watcher.thread.is_alive()


def test_failover_fence_lifted_by_polling(cluster, sentinel):
    master, watcher = watched_master(sentinel, cluster)
    pool = master.connection_pool
    # as if a sentinel had announced a failover whose end was missed
    pool.failover_started(address(cluster.sentinels[1]))
    with pytest.raises(MasterNotFoundError) as info:
        master.ping()
    assert 'in progress' in str(info.value)
    # that sentinel says it runs no failover: the watcher lets go
    wait_until(lambda: not pool.failovers_in_progress, 3,
               'the fence stayed up')
    assert master.ping() is True


def test_switch_to_an_address_no_sentinel_confirms(cluster, sentinel):
    master, watcher = watched_master(sentinel, cluster)
    pool = master.connection_pool
    connection = pool._available_connections[0]
    nowhere = dead_addresses(1)[0]
    pool.master_switched(nowhere)
    # the connection to the previous address was idle: closed at once
    assert connection._sock is None
    assert pool.master_address == nowhere
    # no sentinel names that address, so the pool goes with what they say
    assert master.ping() is True
    assert pool.master_address == address(cluster.master)


def test_forked_child_gets_its_own_watcher(cluster, sentinel):
    master, watcher = watched_master(sentinel, cluster)
    with warnings.catch_warnings():
        # Python 3.12+ warns about fork() in a process with threads
        warnings.simplefilter('ignore', DeprecationWarning)
        pid = os.fork()
    if pid == 0:
        code = 1
        try:
            ok = master.set('forked', 'yes') is True
            child_watcher = sentinel.failover_watcher
            if ok and child_watcher is not watcher \
                    and child_watcher.pid == os.getpid() \
                    and child_watcher.thread.is_alive():
                code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert master.get('forked') == b'yes'
    assert sentinel.failover_watcher is watcher
    assert watcher.thread.is_alive()
    master.delete('forked')


# ---- construction, reprs, commands -----------------------------------------

def test_sentinel_kwargs(cluster):
    sentinel = Sentinel(cluster.sentinel_addresses, socket_timeout=0.5,
                        socket_connect_timeout=0.25, db=0)
    kwargs = sentinel.sentinels[0].connection_pool.connection_kwargs
    assert (kwargs['socket_timeout'], kwargs['socket_connect_timeout']) == \
        (0.5, 0.25)
    assert sentinel.connection_kwargs == {
        'socket_timeout': 0.5, 'socket_connect_timeout': 0.25, 'db': 0}
    sentinel = Sentinel(cluster.sentinel_addresses, socket_timeout=0.5,
                        sentinel_kwargs={'socket_timeout': 3})
    assert sentinel.sentinels[0].connection_pool.connection_kwargs[
        'socket_timeout'] == 3
    master = sentinel.master_for(SERVICE, db=0)
    assert master.connection_pool.connection_kwargs['socket_timeout'] == 0.5
    assert master.ping() is True


def test_strict_redis_looked_up_at_call_time(cluster, monkeypatch):
    built = []

    class Recording(redis.StrictRedis):
        def __init__(self, *args, **kwargs):
            built.append(args)
            super(Recording, self).__init__(*args, **kwargs)

    monkeypatch.setattr(redis.sentinel, 'StrictRedis', Recording)
    sentinel = Sentinel(cluster.sentinel_addresses, socket_timeout=2)
    assert all(isinstance(c, Recording) for c in sentinel.sentinels)
    assert built == list(cluster.sentinel_addresses)
    assert sentinel.discover_master(SERVICE) == address(cluster.master)


def test_reprs(cluster, sentinel):
    ports = [s.port for s in cluster.sentinels]
    assert repr(sentinel) == 'Sentinel<sentinels=[%s]>' % ','.join(
        '127.0.0.1:%d' % port for port in ports)
    master = sentinel.master_for(SERVICE)
    slave = sentinel.slave_for(SERVICE)
    assert repr(master.connection_pool) == \
        'SentinelConnectionPool<service=mymaster(master)>'
    assert repr(slave.connection_pool) == \
        'SentinelConnectionPool<service=mymaster(slave)>'
    assert repr(master) == \
        'StrictRedis<SentinelConnectionPool<service=mymaster(master)>>'
    connection = master.connection_pool.get_connection('PING')
    assert repr(connection) == 'SentinelManagedConnection<service=mymaster>'
    connection.connect()
    assert repr(connection) == \
        'SentinelManagedConnection<service=mymaster,host=127.0.0.1,port=%d>' \
        % cluster.master.port
    master.connection_pool.release(connection)
    assert 'subscribed' in repr(sentinel.failover_watcher)


def test_exceptions():
    assert issubclass(MasterNotFoundError, ConnectionError)
    assert issubclass(SlaveNotFoundError, ConnectionError)
    assert SentinelManagedConnection.__mro__[1] is redis.Connection


def test_sentinel_commands(cluster, sentinel):
    client = sentinel.sentinels[0]
    masters = client.sentinel_masters()
    assert list(masters) == [SERVICE]
    state = client.sentinel_master(SERVICE)
    for key in ('ip', 'port', 'is_master', 'num-other-sentinels'):
        assert state[key] == masters[SERVICE][key]
    assert state['name'] == SERVICE
    assert (state['ip'], state['port']) == address(cluster.master)
    assert state['is_master'] is True
    for flag in ('is_slave', 'is_sdown', 'is_odown', 'is_disconnected'):
        assert state[flag] is False
    assert state['num-other-sentinels'] == 2
    assert state['num-slaves'] == 2
    assert state['quorum'] == 2
    assert isinstance(state['config-epoch'], int)

    slaves = client.sentinel_slaves(SERVICE)
    assert sorted((s['ip'], s['port']) for s in slaves) == \
        sorted(address(r) for r in cluster.replicas)
    for slave in slaves:
        assert slave['is_slave'] is True and slave['is_master'] is False
        assert slave['master-port'] == cluster.master.port
        assert isinstance(slave['slave-repl-offset'], int)

    others = client.sentinel_sentinels(SERVICE)
    assert sorted((s['ip'], s['port']) for s in others) == \
        sorted(cluster.sentinel_addresses[1:])
    assert all(s['is_sentinel'] is True for s in others)

    assert client.sentinel_get_master_addr_by_name(SERVICE) == \
        (b'127.0.0.1', cluster.master.port)


def test_sentinel_monitor_set_remove(cluster, sentinel):
    client = sentinel.sentinels[0]
    master = cluster.master
    assert client.sentinel_monitor('other', master.host, master.port, 1) \
        is True
    try:
        assert client.sentinel_set('other', 'down-after-milliseconds',
                                   12345) is True
        state = client.sentinel_master('other')
        assert state['down-after-milliseconds'] == 12345
        assert state['quorum'] == 1
        assert sorted(client.sentinel_masters()) == ['mymaster', 'other']
    finally:
        assert client.sentinel_remove('other') is True
    assert list(client.sentinel_masters()) == [SERVICE]


# ---- failovers -------------------------------------------------------------

@pytest.mark.slow
def test_failover_command():
    with failover_group() as group:
        loops = start_write_loops(group)
        old = group.master
        started_at = time.monotonic()
        assert group.sentinels[0].command('SENTINEL', 'FAILOVER',
                                          group.service_name) == 'OK'
        group.wait_for_new_master(address(old))
        switched_at = time.monotonic()
        # The old master accepts writes until the sentinels reconfigure
        # it, but none came after the switch (nor in the promotion, or
        # they would be missing on the new master).
        counts = watch_writes_while_master(old)
        assert len(set(counts)) <= 1
        check_outage(loops, started_at, switched_at)
        for loop in loops:
            # the pool stopped writing as soon as the failover began
            assert all(isinstance(e, MasterNotFoundError)
                       for at, e in loop.errors)
        check_writes(group, loops, old)


@pytest.mark.slow
def test_failover_with_a_hung_sentinel():
    # A frozen sentinel (SIGSTOP: it accepts connections and never answers)
    # that the watcher keeps trying to subscribe to must not hold back the
    # other sentinels' events: before, each try blocked the one watcher
    # thread for seconds and thousands of writes reached the old master.
    # No timeouts are set; the frozen one is listed last so that finding
    # the master does not wait on it.
    with failover_group() as group:
        hung = group.sentinels[0]
        os.kill(hung.pid, signal.SIGSTOP)
        try:
            addresses = group.sentinel_addresses
            sentinel = Sentinel(addresses[1:] + addresses[:1])
            loops = [WriteLoop(sentinel.master_for(
                group.service_name, socket_timeout=1.0,
                parser_class=parser_class), 'hung-%s' % parser_class.__name__)
                for parser_class in PARSERS]
            for loop in loops:
                loop.start()
            for loop in loops:
                loop.wait_for_acks_since(0)
            old = group.master
            assert group.sentinels[1].command(
                'SENTINEL', 'FAILOVER', group.service_name) == 'OK'
            wait_until(lambda: all(
                group.master_address(s) not in (None, address(old))
                for s in group.sentinels[1:]), 20, 'no failover')
            watch_writes_while_master(old)
        finally:
            os.kill(hung.pid, signal.SIGCONT)
        check_writes(group, loops, old)


@pytest.mark.slow
def test_master_killed():
    with failover_group() as group:
        loops = start_write_loops(group)
        old = group.master
        # Both replicas have every write acknowledged before this point.
        replicated_at = time.monotonic()
        assert old.command('SET', 'replicated', 'marker') == 'OK'
        assert old.command('WAIT', 2, 5000) == 2
        killed_at = time.monotonic()
        old.kill()
        died_at = time.monotonic()
        group.wait_for_new_master(address(old))
        switched_at = time.monotonic()
        check_outage(loops, killed_at, switched_at)
        # It comes back empty, as a master, until the sentinels make it
        # a replica: nothing may be written to it meanwhile.
        group.restart(old)
        counts = watch_writes_while_master(old)
        assert set(counts) <= {0}
        for loop in loops:
            loop.wait_for_acks_since(time.monotonic())
        check_writes(group, loops, old, crash=(replicated_at, died_at))
