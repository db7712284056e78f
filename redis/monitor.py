"""MONITOR: a connection of its own that streams every command the server
runs, as ``StrictRedis.monitor()`` hands it out."""
from __future__ import annotations

from typing import Any, Dict, Iterator, TypeVar

from redis.exceptions import RedisError
from redis.pool import ConnectionPool
from redis.replies_admin import ok, parse_monitor_line

_MonitorT = TypeVar('_MonitorT', bound='Monitor')


class Monitor(object):
    """Reads the commands a server runs, from a connection taken out of
    ``connection_pool`` for the purpose::

        with client.monitor() as m:
            for command in m.listen():
                print(command['command'])

    Each command is a dict: time, db, client_address, client_port,
    client_type and command. The connection never serves anything else:
    leaving the ``with`` block (or close()) disconnects it before it goes
    back to the pool.
    """

    def __init__(self, connection_pool: ConnectionPool) -> None:
        self.connection_pool = connection_pool
        self.connection = None

    def __repr__(self) -> str:
        if self.connection is None:
            state = 'not started'
        else:
            state = 'monitoring'
        return '%s<%s,%s>' % (type(self).__name__, state,
                              repr(self.connection_pool))

    def __enter__(self: _MonitorT) -> _MonitorT:
        self.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def start(self) -> None:
        "Send MONITOR on a connection of the pool (once)"
        if self.connection is not None:
            return
        connection = self.connection_pool.get_connection('MONITOR')
        try:
            connection.send_command('MONITOR')
            response = connection.read_response()
            if not ok(response):
                raise RedisError('MONITOR failed: %r' % (response,))
        except BaseException:
            # whatever the connection holds now, it must not serve others
            connection.disconnect()
            self.connection_pool.release(connection)
            raise
        self.connection = connection

    def close(self) -> None:
        """Stop monitoring: the connection is closed and given back to the
        pool"""
        connection, self.connection = self.connection, None
        if connection is not None:
            connection.disconnect()
            self.connection_pool.release(connection)

    def next_command(self) -> Dict[str, Any]:
        "Wait for the next command the server runs; a dict (see the class)"
        self.start()
        line = self.connection.read_response()
        encoding = getattr(getattr(self.connection, 'encoder', None),
                           'encoding', 'utf-8')
        return parse_monitor_line(line, encoding)

    def listen(self) -> Iterator[Dict[str, Any]]:
        "Yield the commands the server runs, one dict each, without end"
        while True:
            yield self.next_command()
