"""Commands on sets: SADD, SMEMBERS, SINTER, ..."""
from redis.exceptions import DataError
from redis.replies import list_or_args


class SetCommands(object):
    """Commands on sets: SADD, SMEMBERS, SINTER, ..."""

    def sadd(self, name, *values):
        "Add ``values`` to set ``name``; returns how many were new"
        return self.execute_command('SADD', name, *values)

    def scard(self, name):
        "Return the number of elements in set ``name``"
        return self.execute_command('SCARD', name)

    def sdiff(self, keys, *args):
        "Return the difference of sets specified by ``keys``"
        return self.execute_command('SDIFF', *list_or_args(keys, args))

    def sdiffstore(self, dest, keys, *args):
        "Store the difference of sets ``keys`` into ``dest``; returns its size"
        return self.execute_command('SDIFFSTORE', dest,
                                    *list_or_args(keys, args))

    def sinter(self, keys, *args):
        "Return the intersection of sets specified by ``keys``"
        return self.execute_command('SINTER', *list_or_args(keys, args))

    def sinterstore(self, dest, keys, *args):
        "Store the intersection of sets ``keys`` in ``dest``; returns its size"
        return self.execute_command('SINTERSTORE', dest,
                                    *list_or_args(keys, args))

    def sismember(self, name, value):
        "Return a boolean indicating if ``value`` is a member of set ``name``"
        return self.execute_command('SISMEMBER', name, value)

    def sintercard(self, numkeys, keys, limit=0):
        """The size of the intersection of the ``numkeys`` sets ``keys``,
        counting no further than ``limit`` (0: no limit)"""
        keys = list(keys)
        if not keys:
            raise DataError('SINTERCARD needs at least one key')
        if numkeys != len(keys):
            raise DataError('SINTERCARD: numkeys is %r but %d keys were '
                            'given' % (numkeys, len(keys)))
        return self.execute_command('SINTERCARD', numkeys, *keys,
                                    'LIMIT', limit)

    def smembers(self, name):
        "Return all members of the set ``name``"
        return self.execute_command('SMEMBERS', name)

    def smismember(self, name, values, *args):
        """For each of ``values`` (a list, or the first of several
        arguments) whether it is a member of set ``name``"""
        values = list_or_args(values, args)
        if not values:
            raise DataError('SMISMEMBER needs at least one value')
        return self.execute_command('SMISMEMBER', name, *values)

    def smove(self, src, dst, value):
        "Move ``value`` from set ``src`` to set ``dst`` atomically"
        return self.execute_command('SMOVE', src, dst, value)

    def spop(self, name, count=None):
        """Remove and return a random member of set ``name``; with ``count``
        a list of up to that many"""
        if count is not None:
            return self.execute_command('SPOP', name, count)
        return self.execute_command('SPOP', name)

    def srandmember(self, name, number=None):
        """Return a random member of set ``name``, or with ``number`` a list
        of that many (negative: repeats allowed)."""
        if number is None:
            return self.execute_command('SRANDMEMBER', name)
        return self.execute_command('SRANDMEMBER', name, number)

    def srem(self, name, *values):
        "Remove ``values`` from set ``name``; returns how many were there"
        return self.execute_command('SREM', name, *values)

    def sunion(self, keys, *args):
        "Return the union of sets specified by ``keys``"
        return self.execute_command('SUNION', *list_or_args(keys, args))

    def sunionstore(self, dest, keys, *args):
        "Store the union of sets ``keys`` into ``dest``; returns its size"
        return self.execute_command('SUNIONSTORE', dest,
                                    *list_or_args(keys, args))
