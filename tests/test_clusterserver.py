"""The 6-node cluster starter (tests/clusterserver.py), checked over raw
sockets only."""
import os

import pytest

import clusterserver
from rawresp import RawConnection, RawReplyError

pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def cluster():
    with clusterserver.RedisCluster() as started:
        yield started


def test_six_nodes_three_masters_each_with_one_replica(cluster):
    assert len(cluster.nodes) == 6
    ports = [node.port for node in cluster.nodes]
    assert len(set(ports)) == 6
    masters, replicas = cluster.masters(), cluster.replicas()
    assert len(masters) == 3 and len(replicas) == 3
    slots = cluster.slots()
    assert sum(last - first + 1 for first, last in slots) == 16384
    assert {master.port for master, _ in slots.values()} == {
        node.port for node in masters}
    for master, its_replicas in slots.values():
        assert [replica.port for replica in its_replicas] == [
            replica.port for replica in cluster.replicas_of(master)]
        assert len(its_replicas) == 1


def test_every_node_is_ok_and_knows_the_others(cluster):
    for node in cluster.nodes:
        info = node.cluster_info()
        assert info['cluster_state'] == 'ok'
        assert info['cluster_known_nodes'] == '6'
        assert info['cluster_size'] == '3'


def test_bus_ports_are_the_nodes_own(cluster):
    for node in cluster.nodes:
        bus_port = node.port + clusterserver.BUS_PORT_OFFSET
        line = [line for line in node.command('CLUSTER', 'NODES')
                .decode().splitlines() if 'myself' in line][0]
        assert '127.0.0.1:%d@%d' % (node.port, bus_port) in line


def test_a_key_lives_on_its_slot_master_and_reaches_its_replica(cluster):
    key = 'clusterserver:{probe}'
    slot = cluster.key_slot(key)
    owner = cluster.node_for_slot(slot)
    other = [node for node in cluster.masters() if node is not owner][0]
    with pytest.raises(RawReplyError) as moved:
        other.command('SET', key, 'v')
    assert str(moved.value) == 'MOVED %d 127.0.0.1:%d' % (slot, owner.port)

    assert owner.command('SET', key, 'v') == 'OK'
    # WAIT returns once the replica has acknowledged the write
    assert owner.command('WAIT', 1, 10000) == 1
    replica, = cluster.replicas_of(owner)
    conn = RawConnection(replica.host, replica.port)
    try:
        conn.command('READONLY')
        assert conn.command('GET', key) == b'v'
    finally:
        conn.close()
    cluster.flushall()
    assert owner.command('DBSIZE') == 0


def test_stop_ends_every_node_and_removes_its_dir():
    # no replicas: the quickest cluster, and that layout works too
    cluster = clusterserver.RedisCluster(replicas=0).start()
    nodes = list(cluster.nodes)
    dirs = [node.dir for node in nodes]
    processes = [node.process for node in nodes]
    cluster.stop()
    assert cluster.nodes == []
    for process in processes:
        assert process.poll() is not None
    for path in dirs:
        assert not os.path.exists(path)


def test_fewer_than_three_masters_is_refused():
    with pytest.raises(ValueError):
        clusterserver.RedisCluster(masters=2)


def test_free_cluster_port_avoids_taken_ports():
    first = clusterserver.free_cluster_port()
    taken = {first, first + clusterserver.BUS_PORT_OFFSET}
    second = clusterserver.free_cluster_port(taken)
    assert second not in taken
    assert second + clusterserver.BUS_PORT_OFFSET < 65536
