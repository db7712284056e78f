"""Server and connection commands: PING, INFO, CONFIG, CLIENT, SLOWLOG, ..."""
from redis.exceptions import ConnectionError, RedisError


class ServerCommands(object):
    "Server and connection commands: PING, INFO, CONFIG, CLIENT, SLOWLOG, ..."

    def bgrewriteaof(self):
        "Start rewriting the append-only file in the background"
        return self.execute_command('BGREWRITEAOF')

    def bgsave(self):
        "Start saving the dataset to disk in the background"
        return self.execute_command('BGSAVE')

    def client_kill(self, address):
        "Disconnect the client at ``address`` ('ip:port')"
        return self.execute_command('CLIENT KILL', address)

    def client_list(self):
        "The connected clients, as a list of dicts"
        return self.execute_command('CLIENT LIST')

    def client_getname(self):
        "The name of this connection, or None"
        return self.execute_command('CLIENT GETNAME')

    def client_setname(self, name):
        "Name this connection ``name``"
        return self.execute_command('CLIENT SETNAME', name)

    def config_get(self, pattern="*"):
        "The configuration parameters matching ``pattern``, as a dict"
        return self.execute_command('CONFIG GET', pattern)

    def config_set(self, name, value):
        "Set the configuration parameter ``name`` to ``value``"
        return self.execute_command('CONFIG SET', name, value)

    def config_resetstat(self):
        "Reset the statistics that INFO reports"
        return self.execute_command('CONFIG RESETSTAT')

    def config_rewrite(self):
        "Write the running configuration back to the server's config file"
        return self.execute_command('CONFIG REWRITE')

    def dbsize(self):
        "The number of keys in the current database"
        return self.execute_command('DBSIZE')

    def debug_object(self, key):
        "The server's internal details of ``key``, as a dict"
        return self.execute_command('DEBUG OBJECT', key)

    def echo(self, value):
        "Have the server send ``value`` back"
        return self.execute_command('ECHO', value)

    def flushall(self):
        "Delete every key of every database of the server"
        return self.execute_command('FLUSHALL')

    def flushdb(self):
        "Delete every key of the current database"
        return self.execute_command('FLUSHDB')

    def info(self, section=None):
        """The server's INFO as a dict of typed values; ``section`` (e.g.
        'server', 'memory', 'all') asks for that part only."""
        if section is None:
            return self.execute_command('INFO')
        return self.execute_command('INFO', section)

    def lastsave(self):
        "The time of the last successful save to disk, as a datetime"
        return self.execute_command('LASTSAVE')

    def ping(self):
        "Check the connection: True when the server answers"
        return self.execute_command('PING')

    def save(self):
        "Save the dataset to disk, blocking the server until it is done"
        return self.execute_command('SAVE')

    def shutdown(self):
        """Stop the server. Raises RedisError if it answers instead, since
        a server that shuts down just closes the connection."""
        try:
            self.execute_command('SHUTDOWN')
        except ConnectionError:
            # the closed connection is the expected outcome
            return
        raise RedisError("SHUTDOWN seems to have failed.")

    def slaveof(self, host=None, port=None):
        """Make the server a replica of ``host``:``port``; without them,
        make it a master (SLAVEOF NO ONE)."""
        if host is None and port is None:
            return self.execute_command('SLAVEOF', 'NO', 'ONE')
        return self.execute_command('SLAVEOF', host, port)

    def slowlog_get(self, num=None):
        "The latest ``num`` (server default: 10) slow log entries, as dicts"
        if num is None:
            return self.execute_command('SLOWLOG GET')
        return self.execute_command('SLOWLOG GET', num)

    def slowlog_len(self):
        "The number of entries in the slow log"
        return self.execute_command('SLOWLOG LEN')

    def slowlog_reset(self):
        "Empty the slow log"
        return self.execute_command('SLOWLOG RESET')

    def time(self):
        """The server time as a tuple of ints: (seconds since the epoch,
        microseconds into this second)."""
        return self.execute_command('TIME')

    def wait(self, num_replicas, timeout):
        """Block until ``num_replicas`` replicas acknowledged this
        connection's writes, or ``timeout`` milliseconds pass (0: forever);
        the number of replicas that did."""
        return self.execute_command('WAIT', num_replicas, timeout)
