"""Server and connection commands: PING, INFO, CONFIG, CLIENT, SLOWLOG, ..."""


class ServerCommands(object):
    """Server and connection commands: PING, INFO, CONFIG, CLIENT, SLOWLOG, ..."""

    def ping(self):
        "Ping the Redis server"
        return self.execute_command('PING')

    def echo(self, value):
        "Echo the string back from the server"
        return self.execute_command('ECHO', value)

    def info(self, section=None):
        """Returns a dictionary containing information about the Redis
        server; ``section`` picks one part of it."""
        if section is None:
            return self.execute_command('INFO')
        return self.execute_command('INFO', section)

    def flushall(self):
        "Delete all keys in all databases on the current host"
        return self.execute_command('FLUSHALL')

    def flushdb(self):
        "Delete all keys in the current database"
        return self.execute_command('FLUSHDB')

    def dbsize(self):
        "Returns the number of keys in the current database"
        return self.execute_command('DBSIZE')

    def config_get(self, pattern="*"):
        "Return a dictionary of configuration based on the ``pattern``"
        return self.execute_command('CONFIG GET', pattern)

    def config_set(self, name, value):
        "Set config item ``name`` with ``value``"
        return self.execute_command('CONFIG SET', name, value)

    def time(self):
        """Returns the server time as a 2-item tuple of ints:
        (seconds since epoch, microseconds into this second)."""
        return self.execute_command('TIME')
