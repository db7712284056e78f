"""Cluster fixtures: one real 6-node cluster (3 masters, 3 replicas) for the
whole session, clusters of their own for tests that damage theirs, and
RedisCluster clients on the test's parser.

tests/conftest.py loads this module as a plugin, so every test module
shares the one session cluster (binding the fixtures to names of a module
would give that module a cluster of its own). Helpers that are
not fixtures live in tests/cluster_helpers.py.
"""
import pytest

import clusterserver
from cluster_helpers import RecordingConnection

# small, so that failovers in the fault tests end quickly
SESSION_NODE_TIMEOUT_MS = 3000
FAULT_NODE_TIMEOUT_MS = 2000


def _start(cluster):
    try:
        return cluster.start()
    except BaseException:
        cluster.stop()
        raise


@pytest.fixture(scope='session')
def cluster_servers(request):
    """The session's cluster (tests/clusterserver.py RedisCluster): its
    slot map must look the same after every test that uses it"""
    if request.config.getoption('--redis-url'):
        pytest.skip('the cluster tests start their own servers (not with '
                    '--redis-url)')
    cluster = _start(clusterserver.RedisCluster(
        node_timeout_ms=SESSION_NODE_TIMEOUT_MS))
    yield cluster
    cluster.stop()


@pytest.fixture
def make_cluster(request):
    """make_cluster(**kwargs): a fresh cluster of the test's own (stopped
    after it), for tests that kill, stop or reshard nodes"""
    if request.config.getoption('--redis-url'):
        pytest.skip('the cluster tests start their own servers (not with '
                    '--redis-url)')
    started = []

    def make(**kwargs):
        kwargs.setdefault('node_timeout_ms', FAULT_NODE_TIMEOUT_MS)
        cluster = clusterserver.RedisCluster(**kwargs)
        started.append(cluster)
        return _start(cluster)

    yield make
    for cluster in started:
        cluster.stop()


@pytest.fixture
def make_rc(cluster_servers, parser_class):
    """make_rc(cluster=None, **kwargs): a RedisCluster on the test's parser
    to the session cluster (or ``cluster``); every master is emptied
    after the test and the clients closed"""
    from redis.cluster import RedisCluster
    made = []
    clusters = set()

    def make(cluster=None, **kwargs):
        cluster = cluster or cluster_servers
        clusters.add(cluster)
        kwargs.setdefault('parser_class', parser_class)
        kwargs.setdefault('startup_nodes', cluster.startup_nodes)
        client = RedisCluster(**kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
    for cluster in clusters:
        if cluster.nodes:
            cluster.flushall()


@pytest.fixture
def rc(make_rc):
    "RedisCluster with bytes replies, on the session cluster"
    return make_rc()


@pytest.fixture
def rcd(make_rc):
    "RedisCluster with decode_responses=True"
    return make_rc(decode_responses=True)


@pytest.fixture
def recording():
    RecordingConnection.events = []
    yield RecordingConnection.events
    RecordingConnection.events = None
