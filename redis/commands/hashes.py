"""Commands on hashes: HSET, HGETALL, HINCRBY, ..."""
from __future__ import annotations

from typing import Iterable, Mapping, Optional, Union

from redis.exceptions import DataError
from redis.replies import list_or_args
from redis.typing import AnyFieldT, EncodableT, FieldT, KeyT, ResponseT


class HashCommands(object):
    """Commands on hashes: HSET, HGETALL, HINCRBY, ..."""

    def hdel(self, name: KeyT, *keys: FieldT) -> ResponseT:
        "Delete the fields ``keys`` from hash ``name``; the number deleted"
        return self.execute_command('HDEL', name, *keys)

    def hexists(self, name: KeyT, key: FieldT) -> ResponseT:
        "True if the field ``key`` exists in hash ``name``"
        return self.execute_command('HEXISTS', name, key)

    def hget(self, name: KeyT, key: FieldT) -> ResponseT:
        "The value of field ``key`` in hash ``name``, or None"
        return self.execute_command('HGET', name, key)

    def hgetall(self, name: KeyT) -> ResponseT:
        "The hash ``name`` as a dict of field -> value"
        return self.execute_command('HGETALL', name)

    def hincrby(self, name: KeyT, key: FieldT, amount: int = 1) -> ResponseT:
        "Add the integer ``amount`` to field ``key`` of ``name``; new value"
        return self.execute_command('HINCRBY', name, key, amount)

    def hincrbyfloat(self, name: KeyT, key: FieldT,
                     amount: float = 1.0) -> ResponseT:
        "Add the float ``amount`` to field ``key`` of ``name``; the new value"
        return self.execute_command('HINCRBYFLOAT', name, key, amount)

    def hkeys(self, name: KeyT) -> ResponseT:
        "The list of field names of hash ``name``"
        return self.execute_command('HKEYS', name)

    def hlen(self, name: KeyT) -> ResponseT:
        "The number of fields in hash ``name``"
        return self.execute_command('HLEN', name)

    def hset(self, name: KeyT, key: Optional[FieldT] = None,
             value: Optional[EncodableT] = None,
             mapping: Optional[Mapping[AnyFieldT, EncodableT]] = None,
             items: Optional[Iterable[EncodableT]] = None) -> ResponseT:
        """Set field ``key`` of ``name`` to ``value``, and the fields of the
        dict ``mapping`` and of ``items`` (a flat field, value, ... list);
        returns the number of fields that are new."""
        pieces = []
        if key is not None:
            pieces += [key, value]
        if mapping:
            for pair in mapping.items():
                pieces.extend(pair)
        if items:
            items = list(items)
            if len(items) % 2:
                raise DataError("'hset' items must be field, value pairs")
            pieces.extend(items)
        if not pieces:
            raise DataError("'hset' with no key value pairs")
        return self.execute_command('HSET', name, *pieces)

    def hsetnx(self, name: KeyT, key: FieldT, value: EncodableT) -> ResponseT:
        "Set field ``key`` of ``name`` unless it exists; 1 if set, else 0"
        return self.execute_command('HSETNX', name, key, value)

    def hmset(self, name: KeyT,
              mapping: Mapping[AnyFieldT, EncodableT]) -> ResponseT:
        "Set the fields of hash ``name`` from the dict ``mapping``"
        if not mapping:
            raise DataError("'hmset' with 'mapping' of length 0")
        pieces = []
        for field, value in mapping.items():
            pieces.append(field)
            pieces.append(value)
        return self.execute_command('HMSET', name, *pieces)

    def hmget(self, name: KeyT, keys: Union[FieldT, Iterable[FieldT]],
              *args: FieldT) -> ResponseT:
        """The values of the fields ``keys`` of hash ``name``, in order
        (None where absent); ``keys`` is a list or the first of the fields
        given as separate arguments."""
        fields = list_or_args(keys, args)
        return self.execute_command('HMGET', name, *fields)

    def hvals(self, name: KeyT) -> ResponseT:
        "The list of values of hash ``name``"
        return self.execute_command('HVALS', name)

    def hrandfield(self, key: KeyT, count: Optional[int] = None,
                   withvalues: bool = False) -> ResponseT:
        """A random field of hash ``key``, or with ``count`` a list of that
        many (negative: repeats allowed); ``withvalues`` (needs ``count``)
        gives a flat field, value, ... list."""
        pieces = ['HRANDFIELD', key]
        if count is not None:
            pieces.append(count)
        elif withvalues:
            raise DataError('HRANDFIELD withvalues needs a count')
        if withvalues:
            pieces.append('WITHVALUES')
        return self.execute_command(*pieces)

    def hstrlen(self, name: KeyT, key: FieldT) -> ResponseT:
        "The length of the value of field ``key`` of hash ``name``"
        return self.execute_command('HSTRLEN', name, key)

