"""Commands on sets: SADD, SMEMBERS, SINTER, ..."""
from __future__ import annotations

from typing import Iterable, Optional, Union

from redis.exceptions import DataError
from redis.replies import list_or_args
from redis.typing import EncodableT, KeyT, KeysT, ResponseT


class SetCommands(object):
    """Commands on sets: SADD, SMEMBERS, SINTER, ..."""

    def sadd(self, name: KeyT, *values: EncodableT) -> ResponseT:
        "Add ``values`` to set ``name``; returns how many were new"
        return self.execute_command('SADD', name, *values)

    def scard(self, name: KeyT) -> ResponseT:
        "Return the number of elements in set ``name``"
        return self.execute_command('SCARD', name)

    def sdiff(self, keys: KeysT, *args: KeyT) -> ResponseT:
        "Return the difference of sets specified by ``keys``"
        return self.execute_command('SDIFF', *list_or_args(keys, args))

    def sdiffstore(self, dest: KeyT, keys: KeysT, *args: KeyT) -> ResponseT:
        "Store the difference of sets ``keys`` into ``dest``; returns its size"
        return self.execute_command('SDIFFSTORE', dest,
                                    *list_or_args(keys, args))

    def sinter(self, keys: KeysT, *args: KeyT) -> ResponseT:
        "Return the intersection of sets specified by ``keys``"
        return self.execute_command('SINTER', *list_or_args(keys, args))

    def sinterstore(self, dest: KeyT, keys: KeysT, *args: KeyT) -> ResponseT:
        "Store the intersection of sets ``keys`` in ``dest``; returns its size"
        return self.execute_command('SINTERSTORE', dest,
                                    *list_or_args(keys, args))

    def sismember(self, name: KeyT, value: EncodableT) -> ResponseT:
        "Return a boolean indicating if ``value`` is a member of set ``name``"
        return self.execute_command('SISMEMBER', name, value)

    def sintercard(self, numkeys: int, keys: KeysT,
                   limit: int = 0) -> ResponseT:
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

    def smembers(self, name: KeyT) -> ResponseT:
        "Return all members of the set ``name``"
        return self.execute_command('SMEMBERS', name)

    def smismember(self, name: KeyT,
                   values: Union[EncodableT, Iterable[EncodableT]],
                   *args: EncodableT) -> ResponseT:
        """For each of ``values`` (a list, or the first of several
        arguments) whether it is a member of set ``name``"""
        values = list_or_args(values, args)
        if not values:
            raise DataError('SMISMEMBER needs at least one value')
        return self.execute_command('SMISMEMBER', name, *values)

    def smove(self, src: KeyT, dst: KeyT, value: EncodableT) -> ResponseT:
        "Move ``value`` from set ``src`` to set ``dst`` atomically"
        return self.execute_command('SMOVE', src, dst, value)

    def spop(self, name: KeyT, count: Optional[int] = None) -> ResponseT:
        """Remove and return a random member of set ``name``; with ``count``
        a list of up to that many"""
        if count is not None:
            return self.execute_command('SPOP', name, count)
        return self.execute_command('SPOP', name)

    def srandmember(self, name: KeyT,
                    number: Optional[int] = None) -> ResponseT:
        """Return a random member of set ``name``, or with ``number`` a list
        of that many (negative: repeats allowed)."""
        if number is None:
            return self.execute_command('SRANDMEMBER', name)
        return self.execute_command('SRANDMEMBER', name, number)

    def srem(self, name: KeyT, *values: EncodableT) -> ResponseT:
        "Remove ``values`` from set ``name``; returns how many were there"
        return self.execute_command('SREM', name, *values)

    def sunion(self, keys: KeysT, *args: KeyT) -> ResponseT:
        "Return the union of sets specified by ``keys``"
        return self.execute_command('SUNION', *list_or_args(keys, args))

    def sunionstore(self, dest: KeyT, keys: KeysT, *args: KeyT) -> ResponseT:
        "Store the union of sets ``keys`` into ``dest``; returns its size"
        return self.execute_command('SUNIONSTORE', dest,
                                    *list_or_args(keys, args))
