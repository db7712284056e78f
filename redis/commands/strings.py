"""Commands on string values: GET, SET, INCR, APPEND, bit operations, ..."""
from __future__ import annotations

import datetime
from typing import Iterable, Mapping, Optional, Tuple

from redis.commands.bitfield import BitFieldOperation
from redis.commands.keys import (
    datetime_seconds, timedelta_milliseconds, timedelta_seconds,
)
from redis.exceptions import DataError
from redis.replies import list_or_args
from redis.typing import (
    AbsExpiryT, AnyKeyT, EncodableT, ExpiryT, KeyT, KeysT, ResponseT,
)


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


def _expiry_args(command, ex, px, exat, pxat, keepttl=False, persist=False):
    # at most one of EX/PX/EXAT/PXAT/KEEPTTL/PERSIST; timedeltas and
    # datetimes become the integers the server takes
    given = [word for word, value in (('ex', ex), ('px', px), ('exat', exat),
                                      ('pxat', pxat)) if value is not None]
    given += [word for word, on in (('keepttl', keepttl),
                                    ('persist', persist)) if on]
    if len(given) > 1:
        raise DataError('%s takes only one of %s' % (command,
                                                     ', '.join(given)))
    if ex is not None:
        if isinstance(ex, datetime.timedelta):
            ex = timedelta_seconds(ex)
        return ['EX', ex]
    if px is not None:
        if isinstance(px, datetime.timedelta):
            px = timedelta_milliseconds(px)
        return ['PX', px]
    if exat is not None:
        if isinstance(exat, datetime.datetime):
            exat = datetime_seconds(exat)
        return ['EXAT', exat]
    if pxat is not None:
        if isinstance(pxat, datetime.datetime):
            pxat = datetime_seconds(pxat) * 1000 + pxat.microsecond // 1000
        return ['PXAT', pxat]
    if keepttl:
        return ['KEEPTTL']
    if persist:
        return ['PERSIST']
    return []


def _bit_mode(mode):
    word = mode.upper() if isinstance(mode, str) else mode
    if word not in ('BYTE', 'BIT'):
        raise DataError("mode must be 'BYTE' or 'BIT', not %r" % (mode,))
    return word


class StringCommands(object):
    """Commands on string values: GET, SET, INCR, APPEND, bit ops, ..."""

    def append(self, key: KeyT, value: EncodableT) -> ResponseT:
        "Append ``value`` to the string at ``key``; returns the new length"
        return self.execute_command('APPEND', key, value)

    def bitcount(self, key: KeyT, start: Optional[int] = None,
                 end: Optional[int] = None,
                 mode: Optional[str] = None) -> ResponseT:
        """Count the set bits of ``key``, optionally in bytes ``start``..
        ``end``, or bits with ``mode='BIT'`` (Redis 7)"""
        if start is None and end is None:
            if mode is not None:
                raise DataError("mode needs start and end")
            return self.execute_command('BITCOUNT', key)
        if start is None or end is None:
            raise DataError("Both start and end must be specified")
        if mode is not None:
            return self.execute_command('BITCOUNT', key, start, end,
                                        _bit_mode(mode))
        return self.execute_command('BITCOUNT', key, start, end)

    def bitfield(self, key: KeyT,
                 default_overflow: Optional[str] = None) -> BitFieldOperation:
        """A BitFieldOperation on ``key``: chain set/get/incrby/overflow
        calls on it, then ``execute()`` sends them as one BITFIELD"""
        return BitFieldOperation(self, key, default_overflow=default_overflow)

    def bitfield_ro(
            self, key: KeyT, encoding: str, offset: int,
            items: Optional[Iterable[Tuple[str, int]]] = None,
    ) -> ResponseT:
        """BITFIELD_RO: the field ``encoding`` (such as 'u8') at ``offset``,
        then each (encoding, offset) of ``items``; a list of ints"""
        pieces = ['BITFIELD_RO', key, 'GET', encoding, offset]
        for item_encoding, item_offset in items or ():
            pieces += ['GET', item_encoding, item_offset]
        return self.execute_command(*pieces)

    def bitop(self, operation: str, dest: KeyT, *keys: KeyT) -> ResponseT:
        "Store in ``dest`` the bitwise ``operation`` (AND, OR...) of ``keys``"
        return self.execute_command('BITOP', operation, dest, *keys)

    def bitpos(self, key: KeyT, bit: int, start: Optional[int] = None,
               end: Optional[int] = None,
               mode: Optional[str] = None) -> ResponseT:
        """Return the position of the first ``bit`` (0 or 1) in ``key``,
        searching the bytes ``start``..``end`` (``end`` needs ``start``), or
        bits with ``mode='BIT'`` (Redis 7; needs both)."""
        if bit not in (0, 1):
            raise DataError('bit must be 0 or 1')
        if start is None:
            if end is not None:
                raise DataError("start argument is not set, "
                                "when end is specified")
            if mode is not None:
                raise DataError("mode needs start and end")
            return self.execute_command('BITPOS', key, bit)
        if end is None:
            if mode is not None:
                raise DataError("mode needs start and end")
            return self.execute_command('BITPOS', key, bit, start)
        if mode is not None:
            return self.execute_command('BITPOS', key, bit, start, end,
                                        _bit_mode(mode))
        return self.execute_command('BITPOS', key, bit, start, end)

    def decr(self, name: KeyT, amount: int = 1) -> ResponseT:
        "Decrements the value of ``name`` by ``amount``; a missing key is 0"
        return self.execute_command('DECRBY', name, amount)

    def decrby(self, name: KeyT, amount: int = 1) -> ResponseT:
        "Decrements the value of ``name`` by ``amount``; a missing key is 0"
        return self.execute_command('DECRBY', name, amount)

    def get(self, name: KeyT) -> ResponseT:
        "Return the value at key ``name``, or None if the key doesn't exist"
        return self.execute_command('GET', name)

    def __getitem__(self, name: KeyT) -> ResponseT:
        """Return the value at key ``name``, raises a KeyError if the key
        doesn't exist."""
        value = self.get(name)
        if value is not None:
            return value
        raise KeyError(name)

    def getdel(self, name: KeyT) -> ResponseT:
        "Return the value at ``name`` and delete the key (None if missing)"
        return self.execute_command('GETDEL', name)

    def getex(self, name: KeyT, ex: Optional[ExpiryT] = None,
              px: Optional[ExpiryT] = None, exat: Optional[AbsExpiryT] = None,
              pxat: Optional[AbsExpiryT] = None,
              persist: bool = False) -> ResponseT:
        """Return the value at ``name`` and set its expiry: in ``ex``
        seconds or ``px`` ms (int or timedelta), at ``exat``/``pxat`` (unix
        s/ms, or a datetime), or none with ``persist``; one at most."""
        return self.execute_command('GETEX', name, *_expiry_args(
            'GETEX', ex, px, exat, pxat, persist=persist))

    def getbit(self, name: KeyT, offset: int) -> ResponseT:
        "Returns the bit (0 or 1) at ``offset`` in ``name``"
        return self.execute_command('GETBIT', name, offset)

    def getrange(self, key: KeyT, start: int, end: int) -> ResponseT:
        "Returns bytes ``start``..``end`` (inclusive) of the value at ``key``"
        return self.execute_command('GETRANGE', key, start, end)

    def getset(self, name: KeyT, value: EncodableT) -> ResponseT:
        "Set ``name`` to ``value`` and return its old value, atomically"
        return self.execute_command('GETSET', name, value)

    def incr(self, name: KeyT, amount: int = 1) -> ResponseT:
        "Increments the value of ``name`` by ``amount``; a missing key is 0"
        return self.execute_command('INCRBY', name, amount)

    def incrby(self, name: KeyT, amount: int = 1) -> ResponseT:
        "Increments the value of ``name`` by ``amount``; a missing key is 0"
        return self.execute_command('INCRBY', name, amount)

    def incrbyfloat(self, name: KeyT, amount: float = 1.0) -> ResponseT:
        "Increments the value of ``name`` by the float ``amount``"
        return self.execute_command('INCRBYFLOAT', name, amount)

    def lcs(self, key1: KeyT, key2: KeyT, len: bool = False, idx: bool = False,
            minmatchlen: int = 0, withmatchlen: bool = False) -> ResponseT:
        """The longest common subsequence of the strings at ``key1`` and
        ``key2``; with ``len`` its length; with ``idx`` the server's flat
        list ['matches', [[range in key1, range in key2], ...], 'len', n]
        (matches of at least ``minmatchlen``, each with its length if
        ``withmatchlen``), as today's redis-py returns it."""
        pieces = ['LCS', key1, key2]
        if len:
            pieces.append('LEN')
        if idx:
            pieces.append('IDX')
        if minmatchlen:
            pieces += ['MINMATCHLEN', minmatchlen]
        if withmatchlen:
            pieces.append('WITHMATCHLEN')
        return self.execute_command(*pieces)

    def mget(self, keys: KeysT, *args: KeyT) -> ResponseT:
        "Returns a list of values ordered identically to ``keys``"
        return self.execute_command('MGET', *list_or_args(keys, args))

    def mset(self, *args: Mapping[AnyKeyT, EncodableT],
             **kwargs: EncodableT) -> ResponseT:
        "Sets key/values from a single dict argument and/or keyword arguments"
        return self.execute_command('MSET',
                                    *_mapping_items('MSET', args, kwargs))

    def msetnx(self, *args: Mapping[AnyKeyT, EncodableT],
               **kwargs: EncodableT) -> ResponseT:
        """Sets key/values (a single dict argument and/or keyword arguments)
        only if none of the keys exist; returns whether it did."""
        return self.execute_command('MSETNX',
                                    *_mapping_items('MSETNX', args, kwargs))

    def psetex(self, name: KeyT, time_ms: ExpiryT,
               value: EncodableT) -> ResponseT:
        "Set ``name`` to ``value`` expiring in ``time_ms`` ms (int/timedelta)"
        if isinstance(time_ms, datetime.timedelta):
            time_ms = timedelta_milliseconds(time_ms)
        return self.execute_command('PSETEX', name, time_ms, value)

    def set(self, name: KeyT, value: EncodableT, ex: Optional[ExpiryT] = None,
            px: Optional[ExpiryT] = None, nx: bool = False, xx: bool = False,
            keepttl: bool = False, get: bool = False,
            exat: Optional[AbsExpiryT] = None,
            pxat: Optional[AbsExpiryT] = None) -> ResponseT:
        """Set the value at key ``name`` to ``value``: ``ex``/``px`` expire
        it in seconds/milliseconds (int or timedelta), ``nx`` only if it does
        not exist, ``xx`` only if it already exists.

        ``exat``/``pxat`` expire it at a unix time in s/ms (or a datetime),
        ``keepttl`` keeps its current expiry (one of these at most);
        ``get`` returns the old value (None if there was none) instead of
        True."""
        if exat is None and pxat is None and not keepttl:
            # ex and px as 2.10.6 sent them, both if both are given (the
            # server's error then, as in 2.10.6)
            pieces = [name, value]
            if ex is not None:
                pieces += _expiry_args('SET', ex, None, None, None)
            if px is not None:
                pieces += _expiry_args('SET', None, px, None, None)
        else:
            pieces = [name, value] + _expiry_args('SET', ex, px, exat, pxat,
                                                  keepttl=keepttl)
        if nx:
            pieces.append('NX')
        if xx:
            pieces.append('XX')
        if get:
            pieces.append('GET')
            return self.execute_command('SET', *pieces, get=True)
        return self.execute_command('SET', *pieces)

    def __setitem__(self, name: KeyT, value: EncodableT) -> None:
        self.set(name, value)

    def setbit(self, name: KeyT, offset: int, value: int) -> ResponseT:
        "Set bit ``offset`` of ``name`` to 1 if ``value`` is true, else to 0"
        return self.execute_command('SETBIT', name, offset, 1 if value else 0)

    def setex(self, name: KeyT, time: ExpiryT, value: EncodableT) -> ResponseT:
        "Set ``name`` to ``value`` expiring in ``time`` s (int or timedelta)"
        if isinstance(time, datetime.timedelta):
            time = timedelta_seconds(time)
        return self.execute_command('SETEX', name, time, value)

    def setnx(self, name: KeyT, value: EncodableT) -> ResponseT:
        "Set the value of key ``name`` to ``value`` if key doesn't exist"
        return self.execute_command('SETNX', name, value)

    def setrange(self, name: KeyT, offset: int,
                 value: EncodableT) -> ResponseT:
        """Overwrite the value of ``name`` from byte ``offset`` with ``value``
        (zero bytes pad a gap); returns the new length."""
        return self.execute_command('SETRANGE', name, offset, value)

    def strlen(self, name: KeyT) -> ResponseT:
        "Return the number of bytes stored in the value of ``name``"
        return self.execute_command('STRLEN', name)

    def substr(self, name: KeyT, start: int, end: int = -1) -> ResponseT:
        "Return bytes ``start``..``end`` (inclusive) of the value at ``name``"
        return self.execute_command('SUBSTR', name, start, end)
