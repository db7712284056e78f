"""Commands on lists: LPUSH, LRANGE, BLPOP, ..."""
from __future__ import annotations

from typing import Optional

from redis.exceptions import DataError
from redis.typing import EncodableT, KeyT, KeysT, Number, ResponseT


def _keys_and_timeout(keys, timeout):
    # keys is one key (str or bytes) or an iterable of them
    if isinstance(keys, (str, bytes, bytearray, memoryview)):
        keys = [keys]
    else:
        keys = list(keys)
    keys.append(0 if timeout is None else timeout)
    return keys


def _side(value, what):
    # LEFT or RIGHT, in any case
    side = value.upper() if isinstance(value, str) else value
    if side not in ('LEFT', 'RIGHT'):
        raise DataError("%s must be 'LEFT' or 'RIGHT', not %r" % (what, value))
    return side


def _mpop_args(command, numkeys, keys, direction, count):
    if not keys:
        raise DataError('%s needs at least one key' % command)
    if numkeys != len(keys):
        raise DataError('%s: numkeys is %r but %d keys were given'
                        % (command, numkeys, len(keys)))
    pieces = [numkeys] + list(keys) + [_side(direction, 'direction')]
    if count is not None:
        pieces += ['COUNT', count]
    return pieces


class ListCommands(object):
    """Commands on lists: LPUSH, LRANGE, BLPOP, ..."""

    def blpop(self, keys: KeysT, timeout: Number = 0) -> ResponseT:
        """LPOP from the first non-empty list of ``keys`` (one key or a list),
        waiting up to ``timeout`` seconds (0 or None: forever) for one.
        Returns a (key, value) tuple, or None on timeout."""
        return self.execute_command('BLPOP', *_keys_and_timeout(keys, timeout))

    def brpop(self, keys: KeysT, timeout: Number = 0) -> ResponseT:
        """RPOP from the first non-empty list of ``keys`` (one key or a list),
        waiting up to ``timeout`` seconds (0 or None: forever) for one.
        Returns a (key, value) tuple, or None on timeout."""
        return self.execute_command('BRPOP', *_keys_and_timeout(keys, timeout))

    def brpoplpush(self, src: KeyT, dst: KeyT,
                   timeout: Number = 0) -> ResponseT:
        """RPOP from ``src``, LPUSH it onto ``dst`` and return it, waiting up
        to ``timeout`` seconds (0 or None: forever); None on timeout."""
        if timeout is None:
            timeout = 0
        return self.execute_command('BRPOPLPUSH', src, dst, timeout)

    def lindex(self, name: KeyT, index: int) -> ResponseT:
        "Return the item of list ``name`` at ``index`` (negative from the end)"
        return self.execute_command('LINDEX', name, index)

    def linsert(self, name: KeyT, where: str, refvalue: EncodableT,
                value: EncodableT) -> ResponseT:
        """Insert ``value`` in list ``name`` ``where`` ('BEFORE' or 'AFTER')
        ``refvalue``; returns the new length, or -1 if refvalue is absent."""
        return self.execute_command('LINSERT', name, where, refvalue, value)

    def llen(self, name: KeyT) -> ResponseT:
        "Return the length of the list ``name``"
        return self.execute_command('LLEN', name)

    def lpop(self, name: KeyT, count: Optional[int] = None) -> ResponseT:
        """Remove and return the first item of the list ``name``; with
        ``count`` a list of up to that many (None if there is no list)"""
        if count is not None:
            return self.execute_command('LPOP', name, count)
        return self.execute_command('LPOP', name)

    def lpush(self, name: KeyT, *values: EncodableT) -> ResponseT:
        "Push ``values`` onto the head of the list ``name``"
        return self.execute_command('LPUSH', name, *values)

    def lpushx(self, name: KeyT, value: EncodableT) -> ResponseT:
        "Push ``value`` onto the head of the list ``name`` if ``name`` exists"
        return self.execute_command('LPUSHX', name, value)

    def lrange(self, name: KeyT, start: int, end: int) -> ResponseT:
        "Return the items of list ``name`` from ``start`` to ``end`` inclusive"
        return self.execute_command('LRANGE', name, start, end)

    def lrem(self, name: KeyT, count: int, value: EncodableT) -> ResponseT:
        """Remove the first ``count`` items equal to ``value`` from list
        ``name``: from the head if count > 0, from the tail if count < 0,
        all of them if count == 0."""
        return self.execute_command('LREM', name, count, value)

    def lset(self, name: KeyT, index: int, value: EncodableT) -> ResponseT:
        "Set the item at ``index`` of list ``name`` to ``value``"
        return self.execute_command('LSET', name, index, value)

    def ltrim(self, name: KeyT, start: int, end: int) -> ResponseT:
        "Trim the list ``name`` to the items from ``start`` to ``end``"
        return self.execute_command('LTRIM', name, start, end)

    def rpop(self, name: KeyT, count: Optional[int] = None) -> ResponseT:
        """Remove and return the last item of the list ``name``; with
        ``count`` a list of up to that many (None if there is no list)"""
        if count is not None:
            return self.execute_command('RPOP', name, count)
        return self.execute_command('RPOP', name)

    def rpoplpush(self, src: KeyT, dst: KeyT) -> ResponseT:
        "RPOP a value off ``src`` and LPUSH it onto ``dst``; returns it"
        return self.execute_command('RPOPLPUSH', src, dst)

    def rpush(self, name: KeyT, *values: EncodableT) -> ResponseT:
        "Push ``values`` onto the tail of the list ``name``"
        return self.execute_command('RPUSH', name, *values)

    def rpushx(self, name: KeyT, value: EncodableT) -> ResponseT:
        "Push ``value`` onto the tail of the list ``name`` if ``name`` exists"
        return self.execute_command('RPUSHX', name, value)

    def lpos(self, name: KeyT, value: EncodableT, rank: Optional[int] = None,
             count: Optional[int] = None,
             maxlen: Optional[int] = None) -> ResponseT:
        """The index of ``value`` in list ``name``, or None.

        ``rank`` picks the rank-th match (negative: counting from the tail),
        ``count`` returns a list of up to that many indexes (0: all),
        ``maxlen`` compares no more than that many items."""
        pieces = [name, value]
        for word, option in (('RANK', rank), ('COUNT', count),
                             ('MAXLEN', maxlen)):
            if option is not None:
                pieces += [word, option]
        return self.execute_command('LPOS', *pieces)

    def lmove(self, first_list: KeyT, second_list: KeyT, src: str = 'LEFT',
              dest: str = 'RIGHT') -> ResponseT:
        """Pop an item from the ``src`` end of ``first_list``, push it at the
        ``dest`` end of ``second_list`` and return it (None if empty)"""
        return self.execute_command('LMOVE', first_list, second_list,
                                    _side(src, 'src'), _side(dest, 'dest'))

    def blmove(self, first_list: KeyT, second_list: KeyT, timeout: Number,
               src: str = 'LEFT', dest: str = 'RIGHT') -> ResponseT:
        "lmove that waits up to ``timeout`` seconds (0: forever) for an item"
        return self.execute_command('BLMOVE', first_list, second_list,
                                    _side(src, 'src'), _side(dest, 'dest'),
                                    timeout)

    def lmpop(self, num_keys: int, *args: KeyT, direction: str,
              count: int = 1) -> ResponseT:
        """Pop up to ``count`` items from the ``direction`` ('LEFT' or
        'RIGHT') end of the first non-empty of the ``num_keys`` lists
        ``args``: [key, [item, ...]], or None"""
        return self.execute_command(
            'LMPOP', *_mpop_args('LMPOP', num_keys, args, direction, count))

    def blmpop(self, timeout: Number, numkeys: int, *args: KeyT,
               direction: str, count: int = 1) -> ResponseT:
        "lmpop that waits up to ``timeout`` seconds (0: forever) for an item"
        return self.execute_command(
            'BLMPOP', timeout,
            *_mpop_args('BLMPOP', numkeys, args, direction, count))
