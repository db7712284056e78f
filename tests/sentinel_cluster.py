"""A monitored replication group for the Sentinel tests: one master, its
replicas and the sentinels watching it, each a real process on a free port;
and a thread that keeps writing through a client during a failover.

The group is watched and controlled over the harness's raw RESP connection,
never through the client under test, so a broken client cannot make the
topology look healthy; only WriteLoop uses the client.
"""
import threading
import time

import redis
from redis.connection import HiredisParser, PythonParser
from redis.exceptions import ConnectionError, ReadOnlyError, TimeoutError
from redis.sentinel import Sentinel
from redis.utils import HIREDIS_AVAILABLE

from servers import (
    HOST, RawReplyError, RedisSentinel, RedisServer, free_port, parse_info,
)

SERVICE = 'mymaster'


class TopologyTimeout(AssertionError):
    "The group did not reach the expected state in time"


def _text(value):
    return value.decode() if isinstance(value, bytes) else value


def _pairs(flat):
    "A flat [key, value, key, value, ...] reply as a dict of str"
    items = [_text(item) for item in flat]
    return dict(zip(items[::2], items[1::2]))


def wait_until(condition, timeout, message, interval=0.02):
    """Poll ``condition`` until it returns something true and return that;
    TopologyTimeout with ``message`` (and the last error) after ``timeout``
    seconds."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            result = condition()
        except (OSError, ConnectionError, RawReplyError, ValueError) as e:
            result, last_error = None, e
        if result:
            return result
        if time.monotonic() > deadline:
            detail = ' (last error: %r)' % (last_error,) if last_error else ''
            raise TopologyTimeout('%s within %ss%s' % (message, timeout,
                                                       detail))
        time.sleep(interval)


class SentinelCluster(object):
    """``replicas`` replicas of a master and ``sentinels`` sentinels with
    quorum 2 (1 for a single sentinel). Short down-after and failover
    timeouts make a failover take a few seconds."""

    def __init__(self, service_name=SERVICE, replicas=2, sentinels=3,
                 down_after_ms=1000, failover_timeout=3000, tls_files=None):
        self.service_name = service_name
        # tlscerts files: master and replicas then speak TLS only (the
        # sentinels reach them over TLS; clients reach the sentinels in
        # plain text)
        self.tls_files = tls_files
        self.replica_count = replicas
        self.sentinel_count = sentinels
        self.down_after_ms = down_after_ms
        self.failover_timeout = failover_timeout
        self.master = None
        self.replicas = []
        self.sentinels = []

    def __repr__(self):
        return 'SentinelCluster<%s,master=%r,replicas=%r,sentinels=%r>' % (
            self.service_name, self.master, self.replicas, self.sentinels)

    # ---- lifecycle -----------------------------------------------------

    def start(self):
        "Start every process and wait until the sentinels see the group"
        try:
            tls = {}
            if self.tls_files is not None:
                tls = {'tls': True, 'certs': self.tls_files}
            self.master = RedisServer(**tls).start()
            for _ in range(self.replica_count):
                replica = RedisServer(
                    replicaof=(self.master.host, self.master.port), **tls)
                self.replicas.append(replica)
                replica.start()
            for replica in self.replicas:
                replica.wait_for_sync()
            quorum = 2 if self.sentinel_count > 1 else 1
            for _ in range(self.sentinel_count):
                sentinel = RedisSentinel(
                    self.service_name, self.master.host, self.master.port,
                    down_after_ms=self.down_after_ms,
                    failover_timeout=self.failover_timeout, quorum=quorum,
                    extra_config=self._sentinel_tls_config())
                self.sentinels.append(sentinel)
                sentinel.start()
            self.wait_until_settled()
        except BaseException:
            self.stop()
            raise
        return self

    def _sentinel_tls_config(self):
        files = self.tls_files
        if files is None:
            return ()
        return ('tls-cert-file %s' % files.server_cert,
                'tls-key-file %s' % files.server_key,
                'tls-ca-cert-file %s' % files.ca_file,
                'tls-replication yes')

    def stop(self):
        for process in self.sentinels + self.replicas + [self.master]:
            if process is not None:
                process.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    # ---- what the processes say -----------------------------------------

    @property
    def servers(self):
        "Master and replicas, as started (roles change after a failover)"
        return [self.master] + self.replicas

    @property
    def sentinel_addresses(self):
        return [(s.host, s.port) for s in self.sentinels]

    def server_at(self, address):
        for server in self.servers:
            if (server.host, server.port) == tuple(address):
                return server
        raise KeyError(address)

    def role(self, server):
        "'master' or 'slave', as the server reports it"
        return server.info().get('role')

    def sentinel_master_state(self, sentinel):
        return _pairs(sentinel.command('SENTINEL', 'MASTER',
                                       self.service_name))

    def sentinel_replica_states(self, sentinel):
        return [_pairs(flat) for flat in
                sentinel.command('SENTINEL', 'REPLICAS', self.service_name)]

    def master_address(self, sentinel):
        host, port = sentinel.command(
            'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', self.service_name)
        return _text(host), int(port)

    def _settled_for(self, sentinel, master, replicas):
        state = self.sentinel_master_state(sentinel)
        if state['flags'] != 'master' or \
                (state['ip'], int(state['port'])) != (master.host, master.port):
            return False
        if int(state['num-other-sentinels']) != len(self.running_sentinels) - 1:
            return False
        seen = set()
        for replica in self.sentinel_replica_states(sentinel):
            if replica['flags'] != 'slave' or \
                    replica.get('master-link-status') != 'ok':
                return False
            seen.add((replica['ip'], int(replica['port'])))
        return seen == set((r.host, r.port) for r in replicas)

    @property
    def running_sentinels(self):
        return [s for s in self.sentinels if s.is_running()]

    def wait_until_settled(self, master=None, replicas=None, timeout=15):
        """Wait until every running sentinel names ``master`` (by default
        the one started) with exactly ``replicas`` as healthy replicas and
        knows all the other running sentinels."""
        master = master or self.master
        replicas = self.replicas if replicas is None else replicas

        def settled():
            return all(self._settled_for(s, master, replicas)
                       for s in self.running_sentinels)
        wait_until(settled, timeout, 'sentinels did not settle on %r with '
                   'replicas %r' % (master, replicas))

    def wait_for_new_master(self, old_address, timeout=20):
        """Wait until every running sentinel names a master other than
        ``old_address`` and that server says it is a master; returns it."""
        def moved():
            addresses = set(self.master_address(s)
                            for s in self.running_sentinels)
            if len(addresses) != 1:
                return None
            address = addresses.pop()
            if address == tuple(old_address):
                return None
            server = self.server_at(address)
            return server if self.role(server) == 'master' else None
        return wait_until(moved, timeout, 'no failover away from %s:%s'
                          % tuple(old_address))

    def current_master(self, timeout=20):
        """The server every running sentinel names as the master, once
        they agree and it says it is a master"""
        def agreed():
            addresses = set(self.master_address(s)
                            for s in self.running_sentinels)
            if len(addresses) != 1:
                return None
            server = self.server_at(addresses.pop())
            return server if self.role(server) == 'master' else None
        return wait_until(agreed, timeout, 'the sentinels do not agree on '
                          'a master')

    def restart(self, server):
        """Restart ``server`` on its port, and make sure the process that
        answers there is really the new one: another test run may have
        taken the port while it was down, and the sentinels would take
        that server for ours."""
        server.restart()
        info = parse_info(server.command('INFO', 'server'))
        if info.get('process_id') != str(server.pid):
            server.stop()
            raise TopologyTimeout('port %d was taken by another process '
                                  'while %r was down' % (server.port, server))
        return server

    def wait_for_role(self, server, role, master=None, timeout=20):
        """Wait until ``server`` reports ``role``; for 'slave', also that it
        replicates ``master`` with its link up."""
        def reached():
            info = server.info()
            if info.get('role') != role:
                return False
            if role == 'slave' and master is not None:
                return (info.get('master_port') == str(master.port)
                        and info.get('master_link_status') == 'up')
            return True
        wait_until(reached, timeout, '%r did not become %s' % (server, role))


def stat_calls(info, command):
    "How many times the server ran ``command``, from its INFO"
    stat = info.get('cmdstat_' + command)
    return int(stat.split(',')[0].split('=')[1]) if stat else 0


def watch_writes_while_master(server, timeout=60):
    """Sample ``server`` until it reports being a replica with its link up;
    return the SET counts seen while it still said it was a master.

    (The sentinels demote it on one of their INFO rounds; on a busy machine
    that once took over 30 s, hence the generous bound.)"""
    counts = []

    def became_replica():
        info = parse_info(server.command('INFO', 'all'))
        if info['role'] == 'master':
            counts.append(stat_calls(info, 'set'))
            return False
        return info.get('master_link_status') == 'up'
    wait_until(became_replica, timeout, '%r did not become a replica'
               % (server,), interval=0.01)
    return counts


class WriteLoop(threading.Thread):
    """Writes key ``<prefix>:<n>`` for n = 0, 1, ... through ``client``
    until stopped, recording each acknowledged key with its time and each
    error; after an error it waits a little and goes on."""

    def __init__(self, client, prefix):
        super(WriteLoop, self).__init__(name='write-loop-%s' % prefix)
        self.daemon = True
        self.client = client
        self.prefix = prefix
        self.acked = []
        self.errors = []
        self.unexpected = []
        self.stopping = threading.Event()

    def run(self):
        n = 0
        while not self.stopping.is_set():
            key = '%s:%d' % (self.prefix, n)
            n += 1
            try:
                if self.client.set(key, n) is not True:
                    self.unexpected.append((key, 'SET did not say OK'))
                    continue
                self.acked.append((time.monotonic(), key))
            except (ConnectionError, TimeoutError) as e:
                self.errors.append((time.monotonic(), e))
                time.sleep(0.005)
            except ReadOnlyError as e:
                # a demoted master must show up as a ConnectionError
                self.unexpected.append((key, e))
                time.sleep(0.005)
            except Exception as e:
                self.unexpected.append((key, e))
                return
            time.sleep(0.0002)

    def wait_for_acks_since(self, since, count=20, timeout=15):
        def enough():
            return len([at for at, key in self.acked if at > since]) >= count
        wait_until(enough, timeout, '%s: no writes succeeded' % self.prefix)

    def outage(self, since):
        """(first error, first success after it) of the first run of
        errors after ``since``"""
        first_error = min(at for at, e in self.errors if at >= since)
        return first_error, min(at for at, key in self.acked
                                if at > first_error)

    def stop(self):
        self.stopping.set()
        self.join(10)
        assert not self.is_alive()


def raw_keys(server, pattern='*'):
    "The keys of db 0, read over the raw connection"
    return set(_text(k) for k in server.command('KEYS', pattern))


# ---- the client side -------------------------------------------------------

PARSERS = [PythonParser] + ([HiredisParser] if HIREDIS_AVAILABLE else [])


def client_class(parser_class):
    "A StrictRedis whose connections use ``parser_class``"
    class ParserStrictRedis(redis.StrictRedis):
        def __init__(self, host='localhost', port=6379, **kwargs):
            pool = redis.ConnectionPool(host=host, port=port,
                                        parser_class=parser_class, **kwargs)
            super(ParserStrictRedis, self).__init__(connection_pool=pool)
    return ParserStrictRedis


def sentinel_factory(default_addresses, parser_class, monkeypatch):
    """The body of a make_sentinel fixture: yields make(addresses=None,
    cls=Sentinel, **kwargs), a Sentinel (on ``default_addresses`` unless
    told otherwise) whose connections to sentinels, masters and slaves all
    use ``parser_class``; disconnects every sentinel client afterwards."""
    # Sentinel builds its sentinel clients from this module global.
    monkeypatch.setattr(redis.sentinel, 'StrictRedis',
                        client_class(parser_class))
    made = []

    def make(addresses=None, cls=Sentinel, **kwargs):
        kwargs.setdefault('socket_timeout', 2.0)
        kwargs.setdefault('parser_class', parser_class)
        sentinel = cls(addresses or default_addresses, **kwargs)
        made.append(sentinel)
        return sentinel

    yield make
    for sentinel in made:
        for client in sentinel.sentinels:
            client.connection_pool.disconnect()


def address(server):
    return server.host, server.port


def connected_addresses(pool):
    "(host, port) of every connected connection of a pool"
    connections = list(pool._available_connections) + \
        list(pool._in_use_connections)
    return [(c.host, c.port) for c in connections if c._sock is not None]


def dead_addresses(count=3):
    return [('127.0.0.1', free_port()) for _ in range(count)]


def subscribers(sentinel_server):
    "'host:port' of the clients of a sentinel that wait for messages"
    listing = sentinel_server.command('CLIENT', 'LIST').decode()
    fields = [dict(item.split('=', 1) for item in line.split())
              for line in listing.splitlines()]
    return set(f['addr'] for f in fields if f['cmd'] == 'subscribe')


def start_write_loops(group, threads=2):
    """Write loops through master_for clients of one Sentinel of
    ``group``: ``threads`` sharing one client (and so its pool) per parser,
    started once the failover watcher listens."""
    sentinel = Sentinel(group.sentinel_addresses, socket_timeout=1.0)
    loops = []
    for parser_class in PARSERS:
        client = sentinel.master_for(group.service_name, socket_timeout=1.0,
                                     parser_class=parser_class)
        assert client.ping() is True
        loops.extend(WriteLoop(client, '%s-%d' % (parser_class.__name__, n))
                     for n in range(threads))
    watcher = sentinel.failover_watcher
    assert watcher.ready.wait(5)
    wait_until(lambda: watcher.subscribed_to == sorted(
        group.sentinel_addresses), 5, 'the watcher did not subscribe')
    for loop in loops:
        loop.start()
    for loop in loops:
        loop.wait_for_acks_since(0)
    return loops


def check_outage(loops, started_at, switched_at):
    "Writes failed from the failover's start until the switch, no longer"
    for loop in loops:
        loop.wait_for_acks_since(switched_at)
        # resumed soon after the switch; generous, for a loaded machine
        assert loop.outage(started_at)[1] - switched_at < 10
        assert isinstance(loop.errors[0][1], ConnectionError)


def check_writes(group, loops, old, crash=None):
    """Every acknowledged write is on the master the sentinels name now,
    and on the demoted one (now its replica) too. Except, when the master
    was killed (``crash``: (start, end)), those acknowledged while it was
    dying: replication is asynchronous, so Redis itself may lose them."""
    for loop in loops:
        loop.stop()
        assert loop.unexpected == []
    # The master the sentinels name now: the promoted replica, unless the
    # machine was so slow that the sentinels failed over once more.
    master = group.current_master()
    on_master = raw_keys(master)
    for loop in loops:
        acked = set(key for at, key in loop.acked
                    if crash is None or not crash[0] < at <= crash[1])
        # every acknowledged write survived, on the master
        assert acked - on_master == set()
        # the demoted master, now a replica, has them too
        wait_until(lambda: acked <= raw_keys(old), 10,
                   'the old master did not catch up')
        pool = loop.client.connection_pool
        assert pool.master_address == address(master)
        assert set(connected_addresses(pool)) <= {address(master)}


__all__ = [
    'HOST', 'PARSERS', 'SERVICE', 'SentinelCluster', 'TopologyTimeout',
    'WriteLoop', 'address', 'check_outage', 'check_writes', 'client_class',
    'connected_addresses', 'dead_addresses', 'raw_keys', 'start_write_loops',
    'stat_calls', 'subscribers', 'wait_until', 'watch_writes_while_master',
]
