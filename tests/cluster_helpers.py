"""Helpers of the cluster tests that are not fixtures: a connection class
that records what it sends and reads, and ways to find keys on every
master and to run raw commands on one node (never the client under
test)."""
from redis.connection import Connection

import cluster_moves


class RecordingConnection(Connection):
    """Notes ('send', port, packed bytes) and ('read', port, None) in the
    list the class holds while a test sets one"""
    events = None

    def send_packed_command(self, command):
        if RecordingConnection.events is not None:
            data = command if isinstance(command, bytes) else \
                b''.join(command)
            RecordingConnection.events.append(('send', self.port, data))
        return Connection.send_packed_command(self, command)

    def read_response(self):
        if RecordingConnection.events is not None:
            RecordingConnection.events.append(('read', self.port, None))
        return Connection.read_response(self)


def sends(events, word=None):
    return [event for event in events if event[0] == 'send' and
            (word is None or word in event[2])]


def keys_on_every_master(cluster, prefix='k', count=3):
    "{master port: [keys in distinct slots]}"
    return cluster_moves.keys_by_owner(cluster, prefix, count)


def raw_on(cluster, port, *args):
    for node in cluster.nodes:
        if node.port == port:
            return node.command(*args)
    raise AssertionError('no node on port %s' % port)
