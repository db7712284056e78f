"""Commands on lists: LPUSH, LRANGE, BLPOP, ..."""


def _keys_and_timeout(keys, timeout):
    # keys is one key (str or bytes) or an iterable of them
    if isinstance(keys, (str, bytes, bytearray, memoryview)):
        keys = [keys]
    else:
        keys = list(keys)
    keys.append(0 if timeout is None else timeout)
    return keys


class ListCommands(object):
    """Commands on lists: LPUSH, LRANGE, BLPOP, ..."""

    def blpop(self, keys, timeout=0):
        """LPOP from the first non-empty list of ``keys`` (one key or a list),
        waiting up to ``timeout`` seconds (0 or None: forever) for one.
        Returns a (key, value) tuple, or None on timeout."""
        return self.execute_command('BLPOP', *_keys_and_timeout(keys, timeout))

    def brpop(self, keys, timeout=0):
        """RPOP from the first non-empty list of ``keys`` (one key or a list),
        waiting up to ``timeout`` seconds (0 or None: forever) for one.
        Returns a (key, value) tuple, or None on timeout."""
        return self.execute_command('BRPOP', *_keys_and_timeout(keys, timeout))

    def brpoplpush(self, src, dst, timeout=0):
        """RPOP from ``src``, LPUSH it onto ``dst`` and return it, waiting up
        to ``timeout`` seconds (0 or None: forever); None on timeout."""
        if timeout is None:
            timeout = 0
        return self.execute_command('BRPOPLPUSH', src, dst, timeout)

    def lindex(self, name, index):
        "Return the item of list ``name`` at ``index`` (negative from the end)"
        return self.execute_command('LINDEX', name, index)

    def linsert(self, name, where, refvalue, value):
        """Insert ``value`` in list ``name`` ``where`` ('BEFORE' or 'AFTER')
        ``refvalue``; returns the new length, or -1 if refvalue is absent."""
        return self.execute_command('LINSERT', name, where, refvalue, value)

    def llen(self, name):
        "Return the length of the list ``name``"
        return self.execute_command('LLEN', name)

    def lpop(self, name):
        "Remove and return the first item of the list ``name``"
        return self.execute_command('LPOP', name)

    def lpush(self, name, *values):
        "Push ``values`` onto the head of the list ``name``"
        return self.execute_command('LPUSH', name, *values)

    def lpushx(self, name, value):
        "Push ``value`` onto the head of the list ``name`` if ``name`` exists"
        return self.execute_command('LPUSHX', name, value)

    def lrange(self, name, start, end):
        "Return the items of list ``name`` from ``start`` to ``end`` inclusive"
        return self.execute_command('LRANGE', name, start, end)

    def lrem(self, name, count, value):
        """Remove the first ``count`` items equal to ``value`` from list
        ``name``: from the head if count > 0, from the tail if count < 0,
        all of them if count == 0."""
        return self.execute_command('LREM', name, count, value)

    def lset(self, name, index, value):
        "Set the item at ``index`` of list ``name`` to ``value``"
        return self.execute_command('LSET', name, index, value)

    def ltrim(self, name, start, end):
        "Trim the list ``name`` to the items from ``start`` to ``end``"
        return self.execute_command('LTRIM', name, start, end)

    def rpop(self, name):
        "Remove and return the last item of the list ``name``"
        return self.execute_command('RPOP', name)

    def rpoplpush(self, src, dst):
        "RPOP a value off ``src`` and LPUSH it onto ``dst``; returns it"
        return self.execute_command('RPOPLPUSH', src, dst)

    def rpush(self, name, *values):
        "Push ``values`` onto the tail of the list ``name``"
        return self.execute_command('RPUSH', name, *values)

    def rpushx(self, name, value):
        "Push ``value`` onto the tail of the list ``name`` if ``name`` exists"
        return self.execute_command('RPUSHX', name, value)
