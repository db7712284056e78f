"""Commands on keys of any type: DEL, EXISTS, EXPIRE, RENAME, SORT, ..."""
from __future__ import annotations

import datetime
import time as mod_time
import warnings
from typing import Iterable, Optional, Union

from redis.exceptions import DataError
from redis.typing import (
    AbsExpiryT, EncodableT, ExpiryT, KeyT, KeysT, Number, PatternT, ResponseT,
)


def timedelta_seconds(delta: datetime.timedelta) -> int:
    "Whole seconds of a timedelta (microseconds dropped, as 2.10.6 did)"
    return delta.days * 86400 + delta.seconds


def timedelta_milliseconds(delta: datetime.timedelta) -> int:
    "Whole milliseconds of a timedelta, in integer arithmetic"
    return (delta.days * 86400 + delta.seconds) * 1000 + \
        delta.microseconds // 1000


def datetime_seconds(when: datetime.datetime) -> int:
    """Unix time of a datetime: naive ones are local time (as 2.10.6's
    mktime), aware ones honour their tzinfo (2.10.6 ignored it)."""
    if when.tzinfo is not None:
        return int(when.timestamp())
    return int(mod_time.mktime(when.timetuple()))


def _is_single(value):
    # str and bytes are iterable, but name one key or pattern
    return isinstance(value, (str, bytes, bytearray, memoryview))


def _expire_flags(nx, xx, gt, lt):
    # NX goes with none of the others, GT not with LT
    if nx and (xx or gt or lt):
        raise DataError('nx cannot be combined with xx, gt or lt')
    if gt and lt:
        raise DataError('gt and lt cannot both be given')
    return [word for word, on in (('NX', nx), ('XX', xx), ('GT', gt),
                                  ('LT', lt)) if on]


def _sort_args(name, start, num, by, get, desc, alpha):
    # the options SORT and SORT_RO share
    if (start is None) != (num is None):
        raise DataError("``start`` and ``num`` must both be specified")
    if get is None:
        gets = []
    elif _is_single(get):
        gets = [get]
    else:
        gets = list(get)
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
    return pieces, gets


class KeyCommands(object):
    """Commands on keys of any type: DEL, EXISTS, EXPIRE, RENAME, SORT, ..."""

    def copy(self, source: KeyT, destination: KeyT,
             destination_db: Optional[int] = None,
             replace: bool = False) -> ResponseT:
        """Copy the value at ``source`` to ``destination`` (in database
        ``destination_db`` if given); ``replace`` overwrites it. True if
        copied."""
        pieces = [source, destination]
        if destination_db is not None:
            pieces += ['DB', destination_db]
        if replace:
            pieces.append('REPLACE')
        return self.execute_command('COPY', *pieces)

    def delete(self, *names: KeyT) -> ResponseT:
        "Delete one or more keys specified by ``names``"
        return self.execute_command('DEL', *names)

    def __delitem__(self, name: KeyT) -> None:
        self.delete(name)

    def dump(self, name: KeyT) -> ResponseT:
        "Return the serialized value at ``name`` (for RESTORE), or None"
        return self.execute_command('DUMP', name)

    def exists(self, name: KeyT) -> ResponseT:
        "Returns a boolean indicating whether key ``name`` exists"
        return self.execute_command('EXISTS', name)
    __contains__ = exists

    def expire(self, name: KeyT, time: ExpiryT, nx: bool = False,
               xx: bool = False, gt: bool = False,
               lt: bool = False) -> ResponseT:
        """Expire ``name`` in ``time`` seconds (an int or a timedelta).

        Only if it has no expiry (``nx``), has one (``xx``), or the new one
        is later (``gt``) or sooner (``lt``) than the current one."""
        if isinstance(time, datetime.timedelta):
            time = timedelta_seconds(time)
        return self.execute_command('EXPIRE', name, time,
                                    *_expire_flags(nx, xx, gt, lt))

    def expireat(self, name: KeyT, when: AbsExpiryT, nx: bool = False,
                 xx: bool = False, gt: bool = False,
                 lt: bool = False) -> ResponseT:
        """Expire ``name`` at ``when`` (unix time as an int, or a datetime);
        ``nx``/``xx``/``gt``/``lt`` as for expire"""
        if isinstance(when, datetime.datetime):
            when = datetime_seconds(when)
        return self.execute_command('EXPIREAT', name, when,
                                    *_expire_flags(nx, xx, gt, lt))

    def expiretime(self, key: KeyT) -> ResponseT:
        """The unix time (s) at which ``key`` expires: -1 if it does not,
        -2 if there is no such key"""
        return self.execute_command('EXPIRETIME', key)

    def keys(self, pattern: PatternT = '*') -> ResponseT:
        "Returns a list of keys matching ``pattern``"
        return self.execute_command('KEYS', pattern)

    def memory_usage(self, key: KeyT,
                     samples: Optional[int] = None) -> ResponseT:
        """The bytes ``key`` and its value take in memory (None if there is
        no such key); ``samples`` nested values are sampled (0: all)"""
        if samples is not None:
            return self.execute_command('MEMORY USAGE', key, 'SAMPLES',
                                        samples)
        return self.execute_command('MEMORY USAGE', key)

    def migrate(self, host: str, port: int, keys: KeysT, destination_db: int,
                timeout: Number, copy: bool = False, replace: bool = False,
                auth: Optional[str] = None) -> ResponseT:
        """Move ``keys`` (one or a list) to database ``destination_db`` of
        the server at ``host``:``port``, waiting at most ``timeout`` ms;
        ``copy`` keeps them here, ``replace`` overwrites them there,
        ``auth`` is that server's password."""
        keys = [keys] if _is_single(keys) else list(keys)
        if not keys:
            raise DataError('MIGRATE needs at least one key')
        pieces = [host, port, '', destination_db, timeout]
        if copy:
            pieces.append('COPY')
        if replace:
            pieces.append('REPLACE')
        if auth is not None:
            pieces += ['AUTH', auth]
        pieces.append('KEYS')
        pieces.extend(keys)
        return self.execute_command('MIGRATE', *pieces)

    def move(self, name: KeyT, db: int) -> ResponseT:
        "Moves the key ``name`` to a different Redis database ``db``"
        return self.execute_command('MOVE', name, db)

    def object(self, infotype: str, key: KeyT) -> ResponseT:
        "Return the encoding, idletime, or refcount about the key"
        return self.execute_command('OBJECT', infotype, key, infotype=infotype)

    def persist(self, name: KeyT) -> ResponseT:
        "Removes an expiration on ``name``"
        return self.execute_command('PERSIST', name)

    def pexpire(self, name: KeyT, time: ExpiryT, nx: bool = False,
                xx: bool = False, gt: bool = False,
                lt: bool = False) -> ResponseT:
        """Expire ``name`` in ``time`` milliseconds (an int or a timedelta);
        ``nx``/``xx``/``gt``/``lt`` as for expire"""
        if isinstance(time, datetime.timedelta):
            time = timedelta_milliseconds(time)
        return self.execute_command('PEXPIRE', name, time,
                                    *_expire_flags(nx, xx, gt, lt))

    def pexpireat(self, name: KeyT, when: AbsExpiryT, nx: bool = False,
                  xx: bool = False, gt: bool = False,
                  lt: bool = False) -> ResponseT:
        """Expire ``name`` at ``when``: unix time in milliseconds as an int,
        or a datetime; ``nx``/``xx``/``gt``/``lt`` as for expire"""
        if isinstance(when, datetime.datetime):
            when = datetime_seconds(when) * 1000 + when.microsecond // 1000
        return self.execute_command('PEXPIREAT', name, when,
                                    *_expire_flags(nx, xx, gt, lt))

    def pexpiretime(self, key: KeyT) -> ResponseT:
        """The unix time (ms) at which ``key`` expires: -1 if it does not,
        -2 if there is no such key"""
        return self.execute_command('PEXPIRETIME', key)

    def pttl(self, name: KeyT) -> ResponseT:
        "Returns the number of milliseconds until the key ``name`` will expire"
        return self.execute_command('PTTL', name)

    def randomkey(self) -> ResponseT:
        "Returns the name of a random key"
        return self.execute_command('RANDOMKEY')

    def rename(self, src: KeyT, dst: KeyT) -> ResponseT:
        "Rename key ``src`` to ``dst``"
        return self.execute_command('RENAME', src, dst)

    def renamenx(self, src: KeyT, dst: KeyT) -> ResponseT:
        "Rename key ``src`` to ``dst`` if ``dst`` doesn't already exist"
        return self.execute_command('RENAMENX', src, dst)

    def restore(self, name: KeyT, ttl: int, value: EncodableT,
                replace: bool = False, absttl: bool = False,
                idletime: Optional[int] = None,
                frequency: Optional[int] = None) -> ResponseT:
        """Create ``name`` from ``value``, a DUMP result, expiring in ``ttl``
        milliseconds (0: never); ``replace`` overwrites an existing key.

        ``absttl``: ``ttl`` is a unix time in ms; ``idletime`` (seconds) or
        ``frequency`` set the key's LRU idle time or LFU counter."""
        pieces = [name, ttl, value]
        if replace:
            pieces.append('REPLACE')
        if absttl:
            pieces.append('ABSTTL')
        if idletime is not None and frequency is not None:
            raise DataError('RESTORE takes only one of idletime and '
                            'frequency')
        if idletime is not None:
            if not isinstance(idletime, int) or idletime < 0:
                raise DataError('idletime must be a non-negative integer')
            pieces += ['IDLETIME', idletime]
        if frequency is not None:
            if not isinstance(frequency, int) or frequency < 0:
                raise DataError('frequency must be a non-negative integer')
            pieces += ['FREQ', frequency]
        return self.execute_command('RESTORE', *pieces)

    def sort(self, name: KeyT, start: Optional[int] = None,
             num: Optional[int] = None, by: Optional[PatternT] = None,
             get: Optional[Union[PatternT, Iterable[PatternT]]] = None,
             desc: bool = False, alpha: bool = False,
             store: Optional[KeyT] = None, groups: bool = False) -> ResponseT:
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
        pieces, gets = _sort_args(name, start, num, by, get, desc, alpha)
        if groups and (_is_single(get) or len(gets) < 2):
            raise DataError('when using "groups" the "get" argument '
                            'must be specified and contain at least '
                            'two keys')
        if store is not None:
            pieces += ['STORE', store]
        return self.execute_command('SORT', *pieces,
                                    groups=len(gets) if groups else None)

    def sort_ro(self, key: KeyT, start: Optional[int] = None,
                num: Optional[int] = None, by: Optional[PatternT] = None,
                get: Optional[Union[PatternT, Iterable[PatternT]]] = None,
                desc: bool = False, alpha: bool = False) -> ResponseT:
        """SORT_RO: sort as ``sort`` does, without ``store`` (so a replica
        can serve it); returns the sorted list."""
        pieces, _ = _sort_args(key, start, num, by, get, desc, alpha)
        return self.execute_command('SORT_RO', *pieces)

    def touch(self, *args: KeyT) -> ResponseT:
        "Touch the keys ``args`` (last access time); returns how many exist"
        return self.execute_command('TOUCH', *args)

    def ttl(self, name: KeyT) -> ResponseT:
        "Returns the number of seconds until the key ``name`` will expire"
        return self.execute_command('TTL', name)

    def type(self, name: KeyT) -> ResponseT:
        "Returns the type of key ``name``"
        return self.execute_command('TYPE', name)

    def unlink(self, *names: KeyT) -> ResponseT:
        """Delete ``names`` like delete, freeing their memory in the
        background; the number of keys removed"""
        return self.execute_command('UNLINK', *names)

    def watch(self, *names: KeyT) -> None:
        """Does nothing but warn, as in 2.10.6: WATCH on a pooled connection
        would be lost; call it on a Pipeline."""
        warnings.warn(DeprecationWarning('Call WATCH from a Pipeline object'))

    def unwatch(self) -> None:
        "Does nothing but warn, as in 2.10.6: call it on a Pipeline"
        warnings.warn(
            DeprecationWarning('Call UNWATCH from a Pipeline object'))
