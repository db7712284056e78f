"""A monitored replication group for the Sentinel tests: one master, its
replicas and the sentinels watching it, each a real process on a free port.

Everything here talks to the processes over the harness's raw RESP
connection, never through the client under test, so a broken client cannot
make the topology look healthy.
"""
import time

from servers import (
    HOST, RawReplyError, RedisSentinel, RedisServer, parse_info,
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
                 down_after_ms=1000, failover_timeout=3000):
        self.service_name = service_name
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
            self.master = RedisServer().start()
            for _ in range(self.replica_count):
                replica = RedisServer(
                    replicaof=(self.master.host, self.master.port))
                self.replicas.append(replica)
                replica.start()
            for replica in self.replicas:
                replica.wait_for_sync()
            quorum = 2 if self.sentinel_count > 1 else 1
            for _ in range(self.sentinel_count):
                sentinel = RedisSentinel(
                    self.service_name, self.master.host, self.master.port,
                    down_after_ms=self.down_after_ms,
                    failover_timeout=self.failover_timeout, quorum=quorum)
                self.sentinels.append(sentinel)
                sentinel.start()
            self.wait_until_settled()
        except BaseException:
            self.stop()
            raise
        return self

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


def raw_keys(server, pattern='*'):
    "The keys of db 0, read over the raw connection"
    return set(_text(k) for k in server.command('KEYS', pattern))


__all__ = ['HOST', 'SERVICE', 'SentinelCluster', 'TopologyTimeout',
           'raw_keys', 'wait_until']
