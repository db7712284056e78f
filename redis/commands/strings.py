"""Commands on string values: GET, SET, INCR, APPEND, bit operations, ..."""
import datetime

from redis.commands.keys import timedelta_milliseconds, timedelta_seconds
from redis.exceptions import DataError
from redis.replies import list_or_args


def _mapping_items(command, args, kwargs):
    # MSET/MSETNX take one dict positional argument and/or keywords
    if args:
        if len(args) != 1 or not isinstance(args[0], dict):
            raise DataError('%s requires **kwargs or a single dict arg'
                            % command)
        # as in 2.10.6, the dict's value wins over a keyword of the same name
        mapping = dict(kwargs)
        mapping.update(args[0])
    else:
        mapping = kwargs
    items = []
    for pair in mapping.items():
        items.extend(pair)
    return items


class StringCommands(object):
    """Commands on string values: GET, SET, INCR, APPEND, bit ops, ..."""

    def append(self, key, value):
        "Append ``value`` to the string at ``key``; returns the new length"
        return self.execute_command('APPEND', key, value)

    def bitcount(self, key, start=None, end=None):
        "Count the set bits of ``key``, optionally in bytes ``start``..``end``"
        if start is None and end is None:
            return self.execute_command('BITCOUNT', key)
        if start is None or end is None:
            raise DataError("Both start and end must be specified")
        return self.execute_command('BITCOUNT', key, start, end)

    def bitop(self, operation, dest, *keys):
        "Store in ``dest`` the bitwise ``operation`` (AND, OR...) of ``keys``"
        return self.execute_command('BITOP', operation, dest, *keys)

    def bitpos(self, key, bit, start=None, end=None):
        """Return the position of the first ``bit`` (0 or 1) in ``key``,
        searching the bytes ``start``..``end`` (``end`` needs ``start``)."""
        if bit not in (0, 1):
            raise DataError('bit must be 0 or 1')
        if start is None:
            if end is not None:
                raise DataError("start argument is not set, "
                                "when end is specified")
            return self.execute_command('BITPOS', key, bit)
        if end is None:
            return self.execute_command('BITPOS', key, bit, start)
        return self.execute_command('BITPOS', key, bit, start, end)

    def decr(self, name, amount=1):
        "Decrements the value of ``name`` by ``amount``; a missing key is 0"
        return self.execute_command('DECRBY', name, amount)

    def get(self, name):
        "Return the value at key ``name``, or None if the key doesn't exist"
        return self.execute_command('GET', name)

    def __getitem__(self, name):
        """Return the value at key ``name``, raises a KeyError if the key
        doesn't exist."""
        value = self.get(name)
        if value is not None:
            return value
        raise KeyError(name)

    def getbit(self, name, offset):
        "Returns the bit (0 or 1) at ``offset`` in ``name``"
        return self.execute_command('GETBIT', name, offset)

    def getrange(self, key, start, end):
        "Returns bytes ``start``..``end`` (inclusive) of the value at ``key``"
        return self.execute_command('GETRANGE', key, start, end)

    def getset(self, name, value):
        "Set ``name`` to ``value`` and return its old value, atomically"
        return self.execute_command('GETSET', name, value)

    def incr(self, name, amount=1):
        "Increments the value of ``name`` by ``amount``; a missing key is 0"
        return self.execute_command('INCRBY', name, amount)

    def incrby(self, name, amount=1):
        "Increments the value of ``name`` by ``amount``; a missing key is 0"
        return self.execute_command('INCRBY', name, amount)

    def incrbyfloat(self, name, amount=1.0):
        "Increments the value of ``name`` by the float ``amount``"
        return self.execute_command('INCRBYFLOAT', name, amount)

    def mget(self, keys, *args):
        "Returns a list of values ordered identically to ``keys``"
        return self.execute_command('MGET', *list_or_args(keys, args))

    def mset(self, *args, **kwargs):
        "Sets key/values from a single dict argument and/or keyword arguments"
        return self.execute_command('MSET',
                                    *_mapping_items('MSET', args, kwargs))

    def msetnx(self, *args, **kwargs):
        """Sets key/values (a single dict argument and/or keyword arguments)
        only if none of the keys exist; returns whether it did."""
        return self.execute_command('MSETNX',
                                    *_mapping_items('MSETNX', args, kwargs))

    def psetex(self, name, time_ms, value):
        "Set ``name`` to ``value`` expiring in ``time_ms`` ms (int/timedelta)"
        if isinstance(time_ms, datetime.timedelta):
            time_ms = timedelta_milliseconds(time_ms)
        return self.execute_command('PSETEX', name, time_ms, value)

    def set(self, name, value, ex=None, px=None, nx=False, xx=False):
        """Set the value at key ``name`` to ``value``: ``ex``/``px`` expire
        it in seconds/milliseconds (int or timedelta), ``nx`` only if it does
        not exist, ``xx`` only if it already exists."""
        pieces = [name, value]
        if ex is not None:
            if isinstance(ex, datetime.timedelta):
                ex = timedelta_seconds(ex)
            pieces += ['EX', ex]
        if px is not None:
            if isinstance(px, datetime.timedelta):
                px = timedelta_milliseconds(px)
            pieces += ['PX', px]
        if nx:
            pieces.append('NX')
        if xx:
            pieces.append('XX')
        return self.execute_command('SET', *pieces)

    def __setitem__(self, name, value):
        self.set(name, value)

    def setbit(self, name, offset, value):
        "Set bit ``offset`` of ``name`` to 1 if ``value`` is true, else to 0"
        return self.execute_command('SETBIT', name, offset, 1 if value else 0)

    def setex(self, name, time, value):
        "Set ``name`` to ``value`` expiring in ``time`` s (int or timedelta)"
        if isinstance(time, datetime.timedelta):
            time = timedelta_seconds(time)
        return self.execute_command('SETEX', name, time, value)

    def setnx(self, name, value):
        "Set the value of key ``name`` to ``value`` if key doesn't exist"
        return self.execute_command('SETNX', name, value)

    def setrange(self, name, offset, value):
        """Overwrite the value of ``name`` from byte ``offset`` with ``value``
        (zero bytes pad a gap); returns the new length."""
        return self.execute_command('SETRANGE', name, offset, value)

    def strlen(self, name):
        "Return the number of bytes stored in the value of ``name``"
        return self.execute_command('STRLEN', name)

    def substr(self, name, start, end=-1):
        "Return bytes ``start``..``end`` (inclusive) of the value at ``name``"
        return self.execute_command('SUBSTR', name, start, end)
