"""Commands on keys of any type: DEL, EXISTS, EXPIRE, RENAME, SORT, ..."""
import datetime
import time as mod_time
import warnings

from redis.exceptions import DataError


def timedelta_seconds(delta):
    "Whole seconds of a timedelta (microseconds dropped, as 2.10.6 did)"
    return delta.days * 86400 + delta.seconds


def timedelta_milliseconds(delta):
    "Whole milliseconds of a timedelta, in integer arithmetic"
    return (delta.days * 86400 + delta.seconds) * 1000 + \
        delta.microseconds // 1000


def datetime_seconds(when):
    """Unix time of a datetime: naive ones are local time (as 2.10.6's
    mktime), aware ones honour their tzinfo (2.10.6 ignored it)."""
    if when.tzinfo is not None:
        return int(when.timestamp())
    return int(mod_time.mktime(when.timetuple()))


def _is_single(value):
    # str and bytes are iterable, but name one key or pattern
    return isinstance(value, (str, bytes, bytearray, memoryview))


class KeyCommands(object):
    """Commands on keys of any type: DEL, EXISTS, EXPIRE, RENAME, SORT, ..."""

    def delete(self, *names):
        "Delete one or more keys specified by ``names``"
        return self.execute_command('DEL', *names)

    def __delitem__(self, name):
        self.delete(name)

    def dump(self, name):
        "Return the serialized value at ``name`` (for RESTORE), or None"
        return self.execute_command('DUMP', name)

    def exists(self, name):
        "Returns a boolean indicating whether key ``name`` exists"
        return self.execute_command('EXISTS', name)
    __contains__ = exists

    def expire(self, name, time):
        "Expire ``name`` in ``time`` seconds (an int or a timedelta)"
        if isinstance(time, datetime.timedelta):
            time = timedelta_seconds(time)
        return self.execute_command('EXPIRE', name, time)

    def expireat(self, name, when):
        "Expire ``name`` at ``when`` (unix time as an int, or a datetime)"
        if isinstance(when, datetime.datetime):
            when = datetime_seconds(when)
        return self.execute_command('EXPIREAT', name, when)

    def keys(self, pattern='*'):
        "Returns a list of keys matching ``pattern``"
        return self.execute_command('KEYS', pattern)

    def move(self, name, db):
        "Moves the key ``name`` to a different Redis database ``db``"
        return self.execute_command('MOVE', name, db)

    def object(self, infotype, key):
        "Return the encoding, idletime, or refcount about the key"
        return self.execute_command('OBJECT', infotype, key, infotype=infotype)

    def persist(self, name):
        "Removes an expiration on ``name``"
        return self.execute_command('PERSIST', name)

    def pexpire(self, name, time):
        "Expire ``name`` in ``time`` milliseconds (an int or a timedelta)"
        if isinstance(time, datetime.timedelta):
            time = timedelta_milliseconds(time)
        return self.execute_command('PEXPIRE', name, time)

    def pexpireat(self, name, when):
        """Expire ``name`` at ``when``: unix time in milliseconds as an int,
        or a datetime."""
        if isinstance(when, datetime.datetime):
            when = datetime_seconds(when) * 1000 + when.microsecond // 1000
        return self.execute_command('PEXPIREAT', name, when)

    def pttl(self, name):
        "Returns the number of milliseconds until the key ``name`` will expire"
        return self.execute_command('PTTL', name)

    def randomkey(self):
        "Returns the name of a random key"
        return self.execute_command('RANDOMKEY')

    def rename(self, src, dst):
        "Rename key ``src`` to ``dst``"
        return self.execute_command('RENAME', src, dst)

    def renamenx(self, src, dst):
        "Rename key ``src`` to ``dst`` if ``dst`` doesn't already exist"
        return self.execute_command('RENAMENX', src, dst)

    def restore(self, name, ttl, value, replace=False):
        """Create ``name`` from ``value``, a DUMP result, expiring in ``ttl``
        milliseconds (0: never); ``replace`` overwrites an existing key."""
        if replace:
            return self.execute_command('RESTORE', name, ttl, value,
                                        'REPLACE')
        return self.execute_command('RESTORE', name, ttl, value)

    def sort(self, name, start=None, num=None, by=None, get=None,
             desc=False, alpha=False, store=None, groups=False):
        """
        Sort and return the list, set or sorted set at ``name``.

        ``start`` and ``num`` page through the sorted data (give both).

        ``by`` sorts by the values of external keys; a "*" in it stands for
        the item's value.

        ``get`` returns values of external keys (a pattern, or a list of
        them; "*" as in ``by``, "#" for the item itself) instead of the
        items.

        ``desc`` reverses the sort; ``alpha`` sorts lexicographically rather
        than numerically; ``store`` stores the result into that key and
        returns its length.

        ``groups`` with two or more ``get`` patterns returns a list of tuples,
        one value per pattern.
        """
        if (start is None) != (num is None):
            raise DataError("``start`` and ``num`` must both be specified")
        if get is None:
            gets = []
        elif _is_single(get):
            gets = [get]
        else:
            gets = list(get)
        if groups and (_is_single(get) or len(gets) < 2):
            raise DataError('when using "groups" the "get" argument '
                            'must be specified and contain at least '
                            'two keys')
        pieces = [name]
        if by is not None:
            pieces += ['BY', by]
        if start is not None:
            pieces += ['LIMIT', start, num]
        for pattern in gets:
            pieces += ['GET', pattern]
        if desc:
            pieces.append('DESC')
        if alpha:
            pieces.append('ALPHA')
        if store is not None:
            pieces += ['STORE', store]
        return self.execute_command('SORT', *pieces,
                                    groups=len(gets) if groups else None)

    def touch(self, *args):
        "Touch the keys ``args`` (last access time); returns how many exist"
        return self.execute_command('TOUCH', *args)

    def ttl(self, name):
        "Returns the number of seconds until the key ``name`` will expire"
        return self.execute_command('TTL', name)

    def type(self, name):
        "Returns the type of key ``name``"
        return self.execute_command('TYPE', name)

    def watch(self, *names):
        """Does nothing but warn, as in 2.10.6: WATCH on a pooled connection
        would be lost; call it on a Pipeline."""
        warnings.warn(DeprecationWarning('Call WATCH from a Pipeline object'))

    def unwatch(self):
        "Does nothing but warn, as in 2.10.6: call it on a Pipeline"
        warnings.warn(
            DeprecationWarning('Call UNWATCH from a Pipeline object'))
