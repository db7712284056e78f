"""The SCAN family and the iterators built on it."""
from __future__ import annotations

from typing import Any, Iterator, Optional, Tuple

from redis.typing import KeyT, PatternT, ResponseT, ScoreCastT


def _scan_args(cursor, match, count):
    pieces = [cursor]
    if match is not None:
        pieces += ['MATCH', match]
    if count is not None:
        pieces += ['COUNT', count]
    return pieces


class ScanCommands(object):
    """The SCAN family and the iterators built on it."""

    def scan(self, cursor: int = 0, match: Optional[PatternT] = None,
             count: Optional[int] = None,
             _type: Optional[str] = None) -> ResponseT:
        """Return (next cursor, list of key names) from ``cursor``; ``match``
        filters by pattern, ``count`` hints how much work to do per call,
        ``_type`` keeps keys of one type ('string', 'list', ...)."""
        pieces = _scan_args(cursor, match, count)
        if _type is not None:
            pieces += ['TYPE', _type]
        return self.execute_command('SCAN', *pieces)

    def scan_iter(self, match: Optional[PatternT] = None,
                  count: Optional[int] = None,
                  _type: Optional[str] = None) -> Iterator[Any]:
        "Iterate over key names with SCAN, keeping the cursor for you"
        cursor = 0
        while True:
            # (without _type as 2.10.6 called it, for subclasses' own scan)
            cursor, data = (self.scan(cursor, match, count) if _type is None
                            else self.scan(cursor, match, count, _type))
            for item in data:
                yield item
            if cursor == 0:
                return

    def sscan(self, name: KeyT, cursor: int = 0,
              match: Optional[PatternT] = None,
              count: Optional[int] = None) -> ResponseT:
        "Return (next cursor, list of members) of set ``name`` from ``cursor``"
        return self.execute_command('SSCAN', name,
                                    *_scan_args(cursor, match, count))

    def sscan_iter(self, name: KeyT, match: Optional[PatternT] = None,
                   count: Optional[int] = None) -> Iterator[Any]:
        "Iterate over the members of set ``name`` with SSCAN"
        cursor = 0
        while True:
            cursor, data = self.sscan(name, cursor, match, count)
            for item in data:
                yield item
            if cursor == 0:
                return

    def hscan(self, name: KeyT, cursor: int = 0,
              match: Optional[PatternT] = None,
              count: Optional[int] = None) -> ResponseT:
        "Return (next cursor, dict of fields) of hash ``name`` from ``cursor``"
        return self.execute_command('HSCAN', name,
                                    *_scan_args(cursor, match, count))

    def hscan_iter(self, name: KeyT, match: Optional[PatternT] = None,
                   count: Optional[int] = None) -> Iterator[Tuple[Any, Any]]:
        "Iterate over the (field, value) pairs of hash ``name`` with HSCAN"
        cursor = 0
        while True:
            cursor, data = self.hscan(name, cursor, match, count)
            for item in data.items():
                yield item
            if cursor == 0:
                return

    def zscan(self, name: KeyT, cursor: int = 0,
              match: Optional[PatternT] = None, count: Optional[int] = None,
              score_cast_func: ScoreCastT = float) -> ResponseT:
        """Return (next cursor, list of (member, score)) of sorted set
        ``name`` from ``cursor``; ``score_cast_func`` converts each score."""
        return self.execute_command('ZSCAN', name,
                                    *_scan_args(cursor, match, count),
                                    score_cast_func=score_cast_func)

    def zscan_iter(
            self, name: KeyT, match: Optional[PatternT] = None,
            count: Optional[int] = None, score_cast_func: ScoreCastT = float,
    ) -> Iterator[Tuple[Any, Any]]:
        "Iterate over the (member, score) pairs of sorted set ``name``"
        cursor = 0
        while True:
            cursor, data = self.zscan(name, cursor, match, count,
                                      score_cast_func)
            for item in data:
                yield item
            if cursor == 0:
                return
