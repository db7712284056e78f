"""A real Redis Cluster for the tests: redis-server processes started with
``--cluster-enabled yes`` on free ports (each with its cluster bus port,
port + 10000, free as well), each in its own temp dir, joined by
``redis-cli --cluster create`` and ready once every node agrees.

Control goes over raw RESP sockets (tests/rawresp.py), never the client
under test.
"""
import os
import shutil
import socket
import subprocess
import time

import servers
from rawresp import HOST, RawReplyError, parse_info

BUS_PORT_OFFSET = 10000
CLUSTER_SLOTS = 16384
READY_TIMEOUT = 60.0
CREATE_TIMEOUT = 60.0
PORT_ATTEMPTS = 50


class ClusterError(servers.ServerError):
    "The cluster could not be formed"


def find_redis_cli():
    """redis-cli beside the redis-server in use, else on PATH; ClusterError
    when there is none."""
    server = servers.find_redis_server()
    if server:
        beside = os.path.join(os.path.dirname(server), 'redis-cli')
        if os.access(beside, os.X_OK):
            return beside
    path = shutil.which('redis-cli')
    if path is None:
        raise ClusterError('redis-cli not found (apt-get install -y '
                           'redis-tools, or put it beside REDIS_SERVER)')
    return path


def _bindable(port, host=HOST):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_cluster_port(taken=()):
    "A free port whose bus port (port + 10000) is free too"
    for _ in range(PORT_ATTEMPTS):
        port = servers.free_port()
        bus = port + BUS_PORT_OFFSET
        if (bus < 65536 and port not in taken and bus not in taken
                and _bindable(bus)):
            return port
    raise ClusterError('no free port with a free bus port after %d tries'
                       % PORT_ATTEMPTS)


class ClusterNode(servers.RedisServer):
    "One cluster-enabled redis-server; its node id once it runs"
    kind = 'redis cluster node'

    def __init__(self, port, node_timeout_ms):
        super(ClusterNode, self).__init__(port=port, extra_args=(
            '--cluster-enabled', 'yes',
            '--cluster-config-file', 'nodes.conf',
            '--cluster-node-timeout', str(node_timeout_ms)))

    def cluster_info(self):
        return parse_info(self.command('CLUSTER', 'INFO'))

    def cluster_nodes(self):
        """CLUSTER NODES as this node sees it: [{'id', 'address',
        'flags' (a set), 'master' (id or None)}]"""
        nodes = []
        for line in self.command('CLUSTER', 'NODES').decode().splitlines():
            fields = line.split()
            nodes.append({'id': fields[0], 'address': fields[1],
                          'flags': set(fields[2].split(',')),
                          'master': None if fields[3] == '-' else fields[3]})
        return nodes

    @property
    def node_id(self):
        return self.command('CLUSTER', 'MYID').decode()


class RedisCluster(object):
    """``masters`` masters with ``replicas`` replicas each (3 and 1 by
    default: six nodes). ``start()`` returns once the cluster is ok on every
    node and every replica is in sync; ``stop()`` stops every node and
    removes its dir. Also a context manager."""

    def __init__(self, masters=3, replicas=1, node_timeout_ms=5000):
        if masters < 3:
            raise ValueError('redis-cli --cluster create needs 3 masters')
        self.masters_count = masters
        self.replicas_count = replicas
        self.node_timeout_ms = node_timeout_ms
        self.nodes = []

    def __repr__(self):
        return 'RedisCluster<%s>' % ','.join(
            '%s:%s' % (node.host, node.port) for node in self.nodes)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def startup_nodes(self):
        "[{'host': ..., 'port': ...}] of every node"
        return [{'host': node.host, 'port': node.port} for node in self.nodes]

    def start(self):
        if self.nodes:
            return self
        try:
            self._start_nodes()
            self._create()
            self.wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _start_nodes(self):
        taken = set()
        for _ in range(self.masters_count * (1 + self.replicas_count)):
            for attempt in range(3):
                port = free_cluster_port(taken)
                node = ClusterNode(port, self.node_timeout_ms)
                try:
                    node.start()
                except servers.ServerError:
                    node.stop()
                    # someone took the port or its bus port meanwhile
                    if attempt == 2:
                        raise
                    continue
                break
            taken.update((port, port + BUS_PORT_OFFSET))
            self.nodes.append(node)

    def _create(self):
        command = [find_redis_cli(), '--cluster', 'create']
        command += ['%s:%s' % (node.host, node.port) for node in self.nodes]
        command += ['--cluster-replicas', str(self.replicas_count),
                    '--cluster-yes']
        try:
            result = subprocess.run(command, capture_output=True, text=True,
                                    timeout=CREATE_TIMEOUT,
                                    stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            raise ClusterError('redis-cli --cluster create timed out: %s'
                               % (e.stdout or '')[-2000:])
        if result.returncode != 0:
            raise ClusterError('redis-cli --cluster create failed (%s): %s'
                               % (result.returncode,
                                  (result.stdout + result.stderr)[-2000:]))

    def _not_ready(self):
        "Why the cluster is not ready yet, or None when it is"
        total = len(self.nodes)
        expected_replicas = self.masters_count * self.replicas_count
        for node in self.nodes:
            info = node.cluster_info()
            if info.get('cluster_state') != 'ok':
                return '%r: cluster_state %s' % (node,
                                                 info.get('cluster_state'))
            if int(info.get('cluster_slots_ok', 0)) != CLUSTER_SLOTS:
                return '%r: %s slots ok' % (node,
                                            info.get('cluster_slots_ok'))
            if int(info.get('cluster_known_nodes', 0)) != total:
                return '%r: knows %s nodes' % (node,
                                               info.get('cluster_known_nodes'))
            # clients read replicas from any node's CLUSTER SLOTS/NODES:
            # gossip must have told every node who replicates whom
            view = node.cluster_nodes()
            unsettled = [entry for entry in view if entry['flags'] & {
                'handshake', 'noaddr', 'fail', 'fail?'}]
            if unsettled:
                return '%r: sees %s' % (node, unsettled)
            seen = sum(1 for entry in view if 'slave' in entry['flags']
                       and entry['master'])
            if seen != expected_replicas:
                return '%r: sees %d replicas' % (node, seen)
        replicas = self.replicas()
        if len(replicas) != expected_replicas:
            return '%d replicas so far' % len(replicas)
        for node in replicas:
            if node.info().get('master_link_status') != 'up':
                return '%r: link to its master not up' % node
        return None

    def _replicas_not_served(self):
        """Why some node's CLUSTER SLOTS lacks a replica, or None. Redis 7
        leaves out a replica whose replication offset is still 0, and
        clients that read from replicas learn them there."""
        for node in self.nodes:
            for entry in node.command('CLUSTER', 'SLOTS'):
                if len(entry) - 3 != self.replicas_count:
                    return '%r: slots %s-%s served with %d replica(s)' % (
                        node, entry[0], entry[1], len(entry) - 3)
        return None

    def wait_until_ready(self, timeout=READY_TIMEOUT):
        deadline = time.monotonic() + timeout
        self._wait(self._not_ready, deadline)
        # a write moves every replication offset past 0 (it empties
        # masters that are empty already)
        for master in self.masters():
            master.command('FLUSHALL')
        self._wait(self._replicas_not_served, deadline)
        return self

    def _wait(self, not_ready, deadline):
        while True:
            try:
                reason = not_ready()
            except (OSError, RawReplyError) as e:
                reason = 'node not answering: %s' % e
            if reason is None:
                return
            if time.monotonic() > deadline:
                raise ClusterError('cluster not ready after %ss: %s'
                                   % (READY_TIMEOUT, reason))
            time.sleep(0.05)

    def _by_role(self, role):
        return [node for node in self.nodes
                if node.info().get('role') == role]

    def masters(self):
        return self._by_role('master')

    def replicas(self):
        return self._by_role('slave')

    def slots(self):
        """{(first, last): (master node, [replica nodes])} from CLUSTER
        SLOTS, as the cluster sees itself now"""
        by_port = {node.port: node for node in self.nodes}
        ranges = {}
        for entry in self.nodes[0].command('CLUSTER', 'SLOTS'):
            first, last, master = entry[0], entry[1], entry[2]
            replicas = [by_port[int(replica[1])] for replica in entry[3:]]
            ranges[(first, last)] = (by_port[int(master[1])], replicas)
        return ranges

    def replicas_of(self, master):
        "The replicas of `master` (a node), by their INFO"
        return [node for node in self.replicas()
                if node.info().get('master_port') == str(master.port)]

    def node_for_slot(self, slot):
        "The master serving `slot` now"
        for (first, last), (master, _) in self.slots().items():
            if first <= slot <= last:
                return master
        raise ClusterError('slot %s is not served' % slot)

    def key_slot(self, key):
        "The slot of `key`, as the server computes it"
        return self.nodes[0].command('CLUSTER', 'KEYSLOT', key)

    def flushall(self):
        "Empty every master (replicas follow)"
        for node in self.masters():
            node.command('FLUSHALL')

    def stop(self):
        for node in self.nodes:
            node.stop()
        self.nodes = []
