"""Slot moves for the cluster pipeline and pubsub tests, made over raw
sockets (tests/rawresp.py through the harness's nodes), never the client
under test: a whole move of an empty slot, and a migration left half way
(MIGRATING/IMPORTING) so that the old owner answers ASK."""
import time

from rawresp import RawConnection

SETTLE_TIMEOUT = 30.0


def owner_of(cluster, slot, node=None):
    "The port of the master serving ``slot`` as ``node`` (or node 0) sees it"
    node = node or cluster.nodes[0]
    for entry in node.command('CLUSTER', 'SLOTS'):
        if entry[0] <= slot <= entry[1]:
            return int(entry[2][1])
    return None


def epochs_seen(node):
    "{port: config epoch} of every node, as ``node`` sees them"
    epochs = {}
    for line in node.command('CLUSTER', 'NODES').decode().splitlines():
        fields = line.split()
        address = fields[1].split('@')[0]
        epochs[int(address.rsplit(':', 1)[1])] = int(fields[6])
    return epochs


def wait_until_all_see(cluster, slot, port):
    """Wait until every node's CLUSTER SLOTS gives ``slot`` to ``port``,
    and every node knows the same config epochs: a node that has not heard
    of the last owner's new epoch yet would lose the next move of the slot
    (its claim with a lower epoch is refused, and reverted)."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while True:
        seen = [owner_of(cluster, slot, node) for node in cluster.nodes]
        epochs = [epochs_seen(node) for node in cluster.nodes]
        if all(owner == port for owner in seen) and \
                all(view == epochs[0] for view in epochs):
            return
        if time.monotonic() > deadline:
            raise AssertionError('slot %d not settled on %d: owners %r, '
                                 'epochs %r' % (slot, port, seen, epochs))
        time.sleep(0.05)


def start_migration(source, target, slot):
    "IMPORTING on ``target``, MIGRATING on ``source``"
    target.command('CLUSTER', 'SETSLOT', slot, 'IMPORTING', source.node_id)
    source.command('CLUSTER', 'SETSLOT', slot, 'MIGRATING', target.node_id)


def end_migration(cluster, source, target, slot):
    """Give ``slot`` to ``target`` for good (its keys must have moved):
    the target first (it bumps its epoch, so gossip settles every node),
    then the source, then the other masters."""
    target.command('CLUSTER', 'SETSLOT', slot, 'NODE', target.node_id)
    source.command('CLUSTER', 'SETSLOT', slot, 'NODE', target.node_id)
    for node in cluster.masters():
        if node is not source and node is not target:
            node.command('CLUSTER', 'SETSLOT', slot, 'NODE', target.node_id)
    wait_until_all_see(cluster, slot, target.port)


def move_empty_slot(cluster, slot, source, target):
    "Move ``slot`` (no keys in it) from ``source`` to ``target``"
    start_migration(source, target, slot)
    end_migration(cluster, source, target, slot)


def cancel_migration(source, target, slot):
    "Both nodes forget a migration left half way"
    target.command('CLUSTER', 'SETSLOT', slot, 'STABLE')
    source.command('CLUSTER', 'SETSLOT', slot, 'STABLE')


def asking_command(node, *args):
    "``args`` run on ``node`` after ASKING (an importing slot's keys)"
    conn = RawConnection(node.host, node.port)
    try:
        conn.command('ASKING')
        return conn.command(*args)
    finally:
        conn.close()


def keys_by_owner(cluster, prefix, count_per_master=3):
    """{master port: [keys]}: ``count_per_master`` keys for each master,
    named ``prefix`` plus a number, each in its own slot"""
    ranges = cluster.slots()
    found = dict((master.port, []) for master, _ in ranges.values())
    slots = set()
    n = 0
    while any(len(keys) < count_per_master for keys in found.values()):
        key = '%s%d' % (prefix, n)
        n += 1
        slot = cluster.key_slot(key)
        if slot in slots:
            continue
        for (first, last), (master, _) in ranges.items():
            if first <= slot <= last and \
                    len(found[master.port]) < count_per_master:
                found[master.port].append(key)
                slots.add(slot)
    return found


def kill_and_wait_for_failover(cluster, master, timeout=SETTLE_TIMEOUT):
    """SIGKILL ``master``; return its replica once that replica is a master
    and every live node's CLUSTER SLOTS gives it the dead master's slots"""
    replica, = cluster.replicas_of(master)
    slots = [first for (first, _), (owner, _) in cluster.slots().items()
             if owner.port == master.port]
    master.kill()
    live = [node for node in cluster.nodes if node is not master]
    deadline = time.monotonic() + timeout
    while True:
        try:
            promoted = replica.info().get('role') == 'master' and all(
                owner_of(cluster, slot, node) == replica.port
                for slot in slots for node in live)
        except (OSError, ConnectionError):
            promoted = False
        if promoted:
            return replica
        if time.monotonic() > deadline:
            raise AssertionError('%r not promoted within %ss'
                                 % (replica, timeout))
        time.sleep(0.05)
