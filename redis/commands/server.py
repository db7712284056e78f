"""Server and connection commands: PING, INFO, CONFIG, SLOWLOG, SHUTDOWN,
replication, ...; CLIENT is in redis.commands.clients, COMMAND, LATENCY,
MEMORY and MODULE in redis.commands.introspection."""
from __future__ import annotations

from typing import Any, Optional

from redis.commands.clients import ClientCommands
from redis.commands.introspection import IntrospectionCommands
from redis.exceptions import ConnectionError, DataError, RedisError
from redis.monitor import Monitor
from redis.typing import EncodableT, KeyT, PatternT, ResponseT


class ServerCommands(ClientCommands, IntrospectionCommands):
    """Server and connection commands: PING, INFO, CONFIG, CLIENT, SLOWLOG,
    SHUTDOWN, replication, ..."""

    def bgrewriteaof(self) -> ResponseT:
        "Start rewriting the append-only file in the background"
        return self.execute_command('BGREWRITEAOF')

    def bgsave(self) -> ResponseT:
        "Start saving the dataset to disk in the background"
        return self.execute_command('BGSAVE')

    def config_get(self, pattern: PatternT = "*") -> ResponseT:
        "The configuration parameters matching ``pattern``, as a dict"
        return self.execute_command('CONFIG GET', pattern)

    def config_set(self, name: str, value: EncodableT) -> ResponseT:
        "Set the configuration parameter ``name`` to ``value``"
        return self.execute_command('CONFIG SET', name, value)

    def config_resetstat(self) -> ResponseT:
        "Reset the statistics that INFO reports"
        return self.execute_command('CONFIG RESETSTAT')

    def config_rewrite(self) -> ResponseT:
        "Write the running configuration back to the server's config file"
        return self.execute_command('CONFIG REWRITE')

    def dbsize(self) -> ResponseT:
        "The number of keys in the current database"
        return self.execute_command('DBSIZE')

    def debug_object(self, key: KeyT) -> ResponseT:
        "The server's internal details of ``key``, as a dict"
        return self.execute_command('DEBUG OBJECT', key)

    def echo(self, value: EncodableT) -> ResponseT:
        "Have the server send ``value`` back"
        return self.execute_command('ECHO', value)

    def failover(self, host: Optional[str] = None, port: Optional[int] = None,
                 force: bool = False, abort: bool = False,
                 timeout: Optional[int] = None) -> ResponseT:
        """Hand the master role to a replica in step with it: the one at
        ``host``:``port``, or one the server picks; True once started.

        ``timeout``: milliseconds to wait for a replica to catch up before
        giving up (with ``force``, before failing over anyway); ``abort``
        stops a failover in progress."""
        if (host is None) != (port is None):
            raise DataError('FAILOVER needs both host and port, or neither')
        if force and (host is None or timeout is None):
            raise DataError('FAILOVER force needs host, port and timeout')
        if abort and (host is not None or force or timeout is not None):
            raise DataError('FAILOVER abort takes no other argument')
        args = []
        if host is not None:
            args.extend(('TO', host, port))
            if force:
                args.append('FORCE')
        if abort:
            args.append('ABORT')
        if timeout is not None:
            args.extend(('TIMEOUT', timeout))
        return self.execute_command('FAILOVER', *args)

    def flushall(self, asynchronous: bool = False, **kwargs: Any) -> ResponseT:
        """Delete every key of every database of the server; with
        ``asynchronous`` the memory is freed in the background"""
        args = ['ASYNC'] if asynchronous else []
        return self.execute_command('FLUSHALL', *args, **kwargs)

    def flushdb(self, asynchronous: bool = False, **kwargs: Any) -> ResponseT:
        """Delete every key of the current database; with ``asynchronous``
        the memory is freed in the background"""
        args = ['ASYNC'] if asynchronous else []
        return self.execute_command('FLUSHDB', *args, **kwargs)

    def info(self, section: Optional[str] = None) -> ResponseT:
        """The server's INFO as a dict of typed values; ``section`` (e.g.
        'server', 'memory', 'all') asks for that part only."""
        if section is None:
            return self.execute_command('INFO')
        return self.execute_command('INFO', section)

    def lastsave(self) -> ResponseT:
        "The time of the last successful save to disk, as a datetime"
        return self.execute_command('LASTSAVE')

    def ping(self) -> ResponseT:
        "Check the connection: True when the server answers"
        return self.execute_command('PING')

    def save(self) -> ResponseT:
        "Save the dataset to disk, blocking the server until it is done"
        return self.execute_command('SAVE')

    def lolwut(self, *version_numbers: int, **kwargs: Any) -> ResponseT:
        """The server's version under a piece of generated art; with
        ``version_numbers``, the art of that version (and its
        parameters)"""
        if version_numbers:
            return self.execute_command('LOLWUT', 'VERSION', *version_numbers,
                                        **kwargs)
        return self.execute_command('LOLWUT', **kwargs)

    def monitor(self) -> Monitor:
        """A Monitor: use it as a context manager and read the commands the
        server runs with next_command() or listen(). It holds a connection
        of its own, closed at the end."""
        return Monitor(self.connection_pool)

    def replicaof(self, *args: Any, **kwargs: Any) -> ResponseT:
        """Make the server a replica of ``host, port``, or a master with
        ``'NO', 'ONE'``"""
        return self.execute_command('REPLICAOF', *args, **kwargs)

    def role(self) -> ResponseT:
        """The server's replication role as the server lists it:
        ['master', offset, [[ip, port, offset], ...]], ['slave', host,
        port, state, offset] or ['sentinel', [master names]]"""
        return self.execute_command('ROLE')

    def shutdown(self, save: bool = False, nosave: bool = False,
                 now: bool = False, force: bool = False, abort: bool = False,
                 **kwargs: Any) -> ResponseT:
        """Stop the server. Raises RedisError if it answers instead, since
        a server that shuts down just closes the connection.

        ``save`` / ``nosave``: save to disk or not, whatever the config
        says; ``now``: without waiting for lagging replicas; ``force``: even
        if saving fails. ``abort`` cancels a shutdown that is waiting for
        replicas and returns True."""
        if save and nosave:
            raise DataError('SHUTDOWN save and nosave cannot both be set')
        if abort and (save or nosave or now or force):
            raise DataError('SHUTDOWN abort cannot be combined with other '
                            'flags')
        if abort:
            return self.execute_command('SHUTDOWN', 'ABORT', **kwargs)
        args = [word for flag, word in ((save, 'SAVE'), (nosave, 'NOSAVE'),
                                        (now, 'NOW'), (force, 'FORCE'))
                if flag]
        try:
            self.execute_command('SHUTDOWN', *args, **kwargs)
        except ConnectionError:
            # the closed connection is the expected outcome
            return
        raise RedisError("SHUTDOWN seems to have failed.")

    def slaveof(self, host: Optional[str] = None,
                port: Optional[int] = None) -> ResponseT:
        """Make the server a replica of ``host``:``port``; without them,
        make it a master (SLAVEOF NO ONE)."""
        if host is None and port is None:
            return self.execute_command('SLAVEOF', 'NO', 'ONE')
        return self.execute_command('SLAVEOF', host, port)

    def slowlog_get(self, num: Optional[int] = None) -> ResponseT:
        "The latest ``num`` (server default: 10) slow log entries, as dicts"
        if num is None:
            return self.execute_command('SLOWLOG GET')
        return self.execute_command('SLOWLOG GET', num)

    def slowlog_len(self) -> ResponseT:
        "The number of entries in the slow log"
        return self.execute_command('SLOWLOG LEN')

    def slowlog_reset(self) -> ResponseT:
        "Empty the slow log"
        return self.execute_command('SLOWLOG RESET')

    def time(self) -> ResponseT:
        """The server time as a tuple of ints: (seconds since the epoch,
        microseconds into this second)."""
        return self.execute_command('TIME')

    def swapdb(self, first: int, second: int, **kwargs: Any) -> ResponseT:
        "Swap the contents of databases ``first`` and ``second``; True"
        return self.execute_command('SWAPDB', first, second, **kwargs)

    def wait(self, num_replicas: int, timeout: int) -> ResponseT:
        """Block until ``num_replicas`` replicas acknowledged this
        connection's writes, or ``timeout`` milliseconds pass (0: forever);
        the number of replicas that did."""
        return self.execute_command('WAIT', num_replicas, timeout)

    def waitaof(self, num_local: int, num_replicas: int, timeout: int,
                **kwargs: Any) -> ResponseT:
        """Block until this connection's writes are fsynced to the AOF of
        this server (``num_local``: 0 or 1) and of ``num_replicas``
        replicas, or ``timeout`` milliseconds pass (0: forever); [local
        count, replica count] (Redis 7.2)"""
        return self.execute_command('WAITAOF', num_local, num_replicas,
                                    timeout, **kwargs)
