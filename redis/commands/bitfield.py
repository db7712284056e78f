"""BitFieldOperation: the builder that ``StrictRedis.bitfield()`` returns."""
from __future__ import annotations

from typing import Any, List, Optional

from redis.exceptions import DataError
from redis.typing import BitfieldOffsetT, KeyT, ResponseT

_OVERFLOWS = ('WRAP', 'SAT', 'FAIL')


def _overflow(value):
    word = value.upper() if isinstance(value, str) else value
    if word not in _OVERFLOWS:
        raise DataError('overflow must be one of WRAP, SAT or FAIL, not %r'
                        % (value,))
    return word


class BitFieldOperation(object):
    """The subcommands of one BITFIELD call on ``key``, gathered by chained
    calls and sent by ``execute()``::

        client.bitfield('k').set('u8', 0, 200).incrby('u8', 0, 100).execute()

    ``fmt`` is a type such as 'u8' or 'i16'; ``offset`` a bit offset, or
    '#n' for the n-th field of that type. ``default_overflow`` ('WRAP',
    'SAT' or 'FAIL') applies from the start and again after ``reset()``.
    """

    def __init__(self, client: Any, key: KeyT,
                 default_overflow: Optional[str] = None) -> None:
        self.client = client
        self.key = key
        self._default_overflow = (_overflow(default_overflow)
                                  if default_overflow is not None else None)
        self.reset()

    def __repr__(self) -> str:
        return '%s<key=%r, operations=%r>' % (
            type(self).__name__, self.key, self.operations)

    def reset(self) -> None:
        "Forget the subcommands gathered so far"
        self.operations = []
        self._last_overflow = 'WRAP'
        if self._default_overflow is not None:
            self.overflow(self._default_overflow)

    def overflow(self, overflow: str) -> BitFieldOperation:
        """How the INCRBY and SET after this one handle overflow: 'WRAP'
        (the server's default), 'SAT' or 'FAIL' (the result is None)"""
        overflow = _overflow(overflow)
        if overflow != self._last_overflow:
            self._last_overflow = overflow
            self.operations.append(('OVERFLOW', overflow))
        return self

    def incrby(self, fmt: str, offset: BitfieldOffsetT, increment: int,
               overflow: Optional[str] = None) -> BitFieldOperation:
        "Add ``increment`` to the field; its new value is in the results"
        if overflow is not None:
            self.overflow(overflow)
        self.operations.append(('INCRBY', fmt, offset, increment))
        return self

    def get(self, fmt: str, offset: BitfieldOffsetT) -> BitFieldOperation:
        "Read the field"
        self.operations.append(('GET', fmt, offset))
        return self

    def set(self, fmt: str, offset: BitfieldOffsetT,
            value: int) -> BitFieldOperation:
        "Set the field to ``value``; its old value is in the results"
        self.operations.append(('SET', fmt, offset, value))
        return self

    @property
    def command(self) -> List[Any]:
        "The BITFIELD command as the list of its arguments"
        pieces = ['BITFIELD', self.key]
        for operation in self.operations:
            pieces.extend(operation)
        return pieces

    def execute(self) -> ResponseT:
        """Send the gathered subcommands as one BITFIELD and forget them;
        returns one result per GET, SET and INCRBY, in order."""
        command = self.command
        self.reset()
        return self.client.execute_command(*command)
