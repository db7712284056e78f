"""Commands on sorted sets: ZADD, ZRANGE, ZSCORE, ..."""
from __future__ import annotations

from typing import Any, Iterable, Optional

from redis.exceptions import DataError
from redis.typing import (
    EncodableT, KeyT, KeysT, Number, ResponseT, ScoreCastT, ZScoreBoundT,
    ZSetKeysT,
)


def _limit(start, num):
    # LIMIT needs both an offset and a count; one without the other is a
    # caller mistake, caught before anything is sent.
    if (start is None) != (num is None):
        raise DataError("``start`` and ``num`` must both be specified")
    if start is None:
        return []
    return ['LIMIT', start, num]


def _range_args(start, end, byscore, bylex, desc, offset, num):
    # start end [BYSCORE|BYLEX] [REV] [LIMIT offset count] of ZRANGE(STORE)
    if byscore and bylex:
        raise DataError("``byscore`` and ``bylex`` can't both be given")
    if (offset is None) != (num is None):
        raise DataError("``offset`` and ``num`` must both be specified")
    if offset is not None and not (byscore or bylex):
        raise DataError("``offset`` and ``num`` need ``byscore`` or "
                        "``bylex``")
    pieces = [start, end]
    if byscore:
        pieces.append('BYSCORE')
    if bylex:
        pieces.append('BYLEX')
    if desc:
        pieces.append('REV')
    if offset is not None:
        pieces += ['LIMIT', offset, num]
    return pieces


def _min_or_max(command, min, max):
    if bool(min) == bool(max):
        raise DataError('%s needs exactly one of min and max' % command)
    return 'MIN' if min else 'MAX'


def _numkeys_args(command, numkeys, keys):
    keys = list(keys)
    if not keys:
        raise DataError('%s needs at least one key' % command)
    if numkeys != len(keys):
        raise DataError('%s: numkeys is %r but %d keys were given'
                        % (command, numkeys, len(keys)))
    return [numkeys] + keys


def _key_list(keys):
    # one key or an iterable of keys
    if isinstance(keys, (str, bytes, bytearray, memoryview)):
        return [keys]
    return list(keys)


_ZADD_FLAGS = ('nx', 'xx', 'ch', 'incr', 'gt', 'lt')


class SortedSetCommands(object):
    """Commands on sorted sets: ZADD, ZRANGE, ZSCORE, ..."""

    def zadd(self, name: KeyT, *args: Any, **kwargs: Any) -> ResponseT:
        """Add members with scores to the sorted set ``name``.

        Positional arguments alternate score and member, as ZADD itself
        does: ``zadd('k', 1.5, 'a', 2, 'b')``; keyword arguments map a
        member to its score: ``zadd('k', a=1.5, b=2)``. Returns the number
        of members added.

        A dict of member -> score as the first value is today's redis-py
        form, ``zadd(name, mapping, nx=False, xx=False, ch=False,
        incr=False, gt=False, lt=False)``: then the keywords are those
        options (``ch`` counts changed members too; ``incr`` adds the one
        score and returns the new one, None when nx/xx/gt/lt stopped it).
        """
        if args and isinstance(args[0], dict):
            return self._zadd_mapping(name, args[0], args[1:], kwargs)
        if len(args) % 2:
            raise DataError("ZADD requires an equal number of "
                            "values and scores")
        pieces = list(args)
        for member, score in kwargs.items():
            pieces.append(score)
            pieces.append(member)
        return self.execute_command('ZADD', name, *pieces)

    def _zadd_mapping(self, name, mapping, flags, options):
        "zadd(name, mapping, nx, xx, ch, incr, gt, lt), today's form"
        if len(flags) > len(_ZADD_FLAGS):
            raise DataError('ZADD takes at most %d flags after the mapping'
                            % len(_ZADD_FLAGS))
        given = dict(zip(_ZADD_FLAGS, flags))
        for option, value in options.items():
            if option not in _ZADD_FLAGS or option in given:
                raise DataError('ZADD got an unexpected or repeated option '
                                '%r' % (option,))
            given[option] = value
        nx, xx, ch, incr, gt, lt = (bool(given.get(flag))
                                    for flag in _ZADD_FLAGS)
        if not mapping:
            raise DataError("ZADD requires at least one element/score pair")
        if nx and xx:
            raise DataError("ZADD allows either 'nx' or 'xx', not both")
        if gt and lt:
            raise DataError("ZADD allows either 'gt' or 'lt', not both")
        if nx and (gt or lt):
            raise DataError("ZADD allows only one of 'nx', 'gt' or 'lt'")
        if incr and len(mapping) != 1:
            raise DataError("ZADD option 'incr' only works when passing a "
                            "single element/score pair")
        pieces = [word for word, on in (('NX', nx), ('XX', xx), ('GT', gt),
                                        ('LT', lt), ('CH', ch),
                                        ('INCR', incr)) if on]
        for member, score in mapping.items():
            pieces.append(score)
            pieces.append(member)
        if incr:
            return self.execute_command('ZADD', name, *pieces, as_score=True)
        return self.execute_command('ZADD', name, *pieces)

    def zcard(self, name: KeyT) -> ResponseT:
        "The number of members of the sorted set ``name``"
        return self.execute_command('ZCARD', name)

    def zcount(self, name: KeyT, min: ZScoreBoundT,
               max: ZScoreBoundT) -> ResponseT:
        "The number of members of ``name`` scored between ``min`` and ``max``"
        return self.execute_command('ZCOUNT', name, min, max)

    def zincrby(self, name: KeyT, value: EncodableT,
                amount: float = 1) -> ResponseT:
        "Add ``amount`` to the score of ``value`` in ``name``; the new score"
        return self.execute_command('ZINCRBY', name, amount, value)

    def zinterstore(self, dest: KeyT, keys: ZSetKeysT,
                    aggregate: Optional[str] = None) -> ResponseT:
        """Store the intersection of the sorted sets ``keys`` in ``dest``.

        ``keys`` is a list of names, or a dict of name -> weight;
        ``aggregate`` is 'SUM' (the server's default), 'MIN' or 'MAX'.
        """
        return self._zaggregate('ZINTERSTORE', dest, keys, aggregate)

    def zlexcount(self, name: KeyT, min: EncodableT,
                  max: EncodableT) -> ResponseT:
        "The number of members of ``name`` between ``min`` and ``max`` by lex"
        return self.execute_command('ZLEXCOUNT', name, min, max)

    def zrange(self, name: KeyT, start: EncodableT, end: EncodableT,
               desc: bool = False, withscores: bool = False,
               score_cast_func: ScoreCastT = float, byscore: bool = False,
               bylex: bool = False, offset: Optional[int] = None,
               num: Optional[int] = None) -> ResponseT:
        """Members of ``name`` ranked ``start`` to ``end`` (inclusive, may be
        negative), lowest score first, or highest first if ``desc``.

        ``withscores`` returns (member, score) pairs, each score passed
        through ``score_cast_func``. ``byscore`` or ``bylex`` take
        ``start``/``end`` as scores or lex bounds instead of ranks (with
        ``desc`` the higher bound comes first); ``offset`` and ``num`` then
        slice the result (ZRANGE of Redis 6.2).
        """
        if not byscore and not bylex and offset is None and num is None:
            if desc:
                return self.zrevrange(name, start, end, withscores,
                                      score_cast_func)
            pieces = ['ZRANGE', name, start, end]
        else:
            pieces = ['ZRANGE', name] + _range_args(
                start, end, byscore, bylex, desc, offset, num)
            if bylex and withscores:
                raise DataError('ZRANGE cannot give scores with bylex')
        if withscores:
            pieces.append('WITHSCORES')
        return self.execute_command(*pieces, withscores=withscores,
                                    score_cast_func=score_cast_func)

    def zrangestore(self, dest: KeyT, name: KeyT, start: EncodableT,
                    end: EncodableT, byscore: bool = False,
                    bylex: bool = False, desc: bool = False,
                    offset: Optional[int] = None,
                    num: Optional[int] = None) -> ResponseT:
        """Store in ``dest`` the members zrange(name, start, end, ...) would
        return; the number stored."""
        return self.execute_command(
            'ZRANGESTORE', dest, name,
            *_range_args(start, end, byscore, bylex, desc, offset, num))

    def zrangebylex(self, name: KeyT, min: EncodableT, max: EncodableT,
                    start: Optional[int] = None,
                    num: Optional[int] = None) -> ResponseT:
        """Members of ``name`` from ``min`` to ``max`` by lex order ('[a',
        '(a', '-', '+'); ``start`` and ``num`` slice the result."""
        pieces = ['ZRANGEBYLEX', name, min, max] + _limit(start, num)
        return self.execute_command(*pieces)

    def zrevrangebylex(self, name: KeyT, max: EncodableT, min: EncodableT,
                       start: Optional[int] = None,
                       num: Optional[int] = None) -> ResponseT:
        """Members of ``name`` from ``max`` down to ``min`` by lex order;
        ``start`` and ``num`` slice the result."""
        pieces = ['ZREVRANGEBYLEX', name, max, min] + _limit(start, num)
        return self.execute_command(*pieces)

    def zrangebyscore(self, name: KeyT, min: ZScoreBoundT, max: ZScoreBoundT,
                      start: Optional[int] = None, num: Optional[int] = None,
                      withscores: bool = False,
                      score_cast_func: ScoreCastT = float) -> ResponseT:
        """Members of ``name`` scored ``min`` to ``max``, lowest first.

        ``start`` and ``num`` slice the result; ``withscores`` returns
        (member, score) pairs, each score passed through ``score_cast_func``.
        """
        pieces = ['ZRANGEBYSCORE', name, min, max] + _limit(start, num)
        if withscores:
            pieces.append('WITHSCORES')
        return self.execute_command(*pieces, withscores=withscores,
                                    score_cast_func=score_cast_func)

    def zrank(self, name: KeyT, value: EncodableT) -> ResponseT:
        "The 0-based rank of ``value`` in ``name`` by ascending score, or None"
        return self.execute_command('ZRANK', name, value)

    def zrem(self, name: KeyT, *values: EncodableT) -> ResponseT:
        "Remove ``values`` from ``name``; the number removed"
        return self.execute_command('ZREM', name, *values)

    def zremrangebylex(self, name: KeyT, min: EncodableT,
                       max: EncodableT) -> ResponseT:
        "Remove members of ``name`` between ``min`` and ``max`` by lex order"
        return self.execute_command('ZREMRANGEBYLEX', name, min, max)

    def zremrangebyrank(self, name: KeyT, min: int, max: int) -> ResponseT:
        "Remove members of ``name`` ranked ``min`` to ``max`` (0-based)"
        return self.execute_command('ZREMRANGEBYRANK', name, min, max)

    def zremrangebyscore(self, name: KeyT, min: ZScoreBoundT,
                         max: ZScoreBoundT) -> ResponseT:
        "Remove members of ``name`` scored ``min`` to ``max``"
        return self.execute_command('ZREMRANGEBYSCORE', name, min, max)

    def zrevrange(self, name: KeyT, start: int, end: int,
                  withscores: bool = False,
                  score_cast_func: ScoreCastT = float) -> ResponseT:
        """Members of ``name`` ranked ``start`` to ``end``, highest score
        first; ``withscores`` returns (member, score) pairs, each score passed
        through ``score_cast_func``."""
        pieces = ['ZREVRANGE', name, start, end]
        if withscores:
            pieces.append('WITHSCORES')
        return self.execute_command(*pieces, withscores=withscores,
                                    score_cast_func=score_cast_func)

    def zrevrangebyscore(self, name: KeyT, max: ZScoreBoundT,
                         min: ZScoreBoundT, start: Optional[int] = None,
                         num: Optional[int] = None, withscores: bool = False,
                         score_cast_func: ScoreCastT = float) -> ResponseT:
        """Members of ``name`` scored ``max`` down to ``min``, highest first.

        ``start`` and ``num`` slice the result; ``withscores`` returns
        (member, score) pairs, each score passed through ``score_cast_func``.
        """
        pieces = ['ZREVRANGEBYSCORE', name, max, min] + _limit(start, num)
        if withscores:
            pieces.append('WITHSCORES')
        return self.execute_command(*pieces, withscores=withscores,
                                    score_cast_func=score_cast_func)

    def zrevrank(self, name: KeyT, value: EncodableT) -> ResponseT:
        "The 0-based rank of ``value`` in ``name``, highest first, or None"
        return self.execute_command('ZREVRANK', name, value)

    def zscore(self, name: KeyT, value: EncodableT) -> ResponseT:
        "The score of ``value`` in ``name`` as a float, or None"
        return self.execute_command('ZSCORE', name, value)

    def zunionstore(self, dest: KeyT, keys: ZSetKeysT,
                    aggregate: Optional[str] = None) -> ResponseT:
        """Store the union of the sorted sets ``keys`` in ``dest``.

        ``keys`` is a list of names, or a dict of name -> weight;
        ``aggregate`` is 'SUM' (the server's default), 'MIN' or 'MAX'.
        """
        return self._zaggregate('ZUNIONSTORE', dest, keys, aggregate)

    def zpopmin(self, name: KeyT, count: Optional[int] = None) -> ResponseT:
        """Remove and return the ``count`` (default 1) lowest-scored members
        of ``name`` as a list of (member, score)"""
        args = [count] if count is not None else []
        return self.execute_command('ZPOPMIN', name, *args)

    def zpopmax(self, name: KeyT, count: Optional[int] = None) -> ResponseT:
        """Remove and return the ``count`` (default 1) highest-scored
        members of ``name`` as a list of (member, score)"""
        args = [count] if count is not None else []
        return self.execute_command('ZPOPMAX', name, *args)

    def bzpopmin(self, keys: KeysT, timeout: Number = 0) -> ResponseT:
        """ZPOPMIN one member from the first non-empty sorted set of
        ``keys``, waiting up to ``timeout`` seconds (0: forever); a (key,
        member, score) tuple, or None on timeout"""
        if timeout is None:
            timeout = 0
        return self.execute_command('BZPOPMIN', *(_key_list(keys) +
                                                  [timeout]))

    def bzpopmax(self, keys: KeysT, timeout: Number = 0) -> ResponseT:
        """ZPOPMAX one member from the first non-empty sorted set of
        ``keys``, waiting up to ``timeout`` seconds (0: forever); a (key,
        member, score) tuple, or None on timeout"""
        if timeout is None:
            timeout = 0
        return self.execute_command('BZPOPMAX', *(_key_list(keys) +
                                                  [timeout]))

    def zmpop(self, num_keys: int, keys: KeysT, min: bool = False,
              max: bool = False, count: Optional[int] = 1) -> ResponseT:
        """Pop up to ``count`` members with the lowest (``min``) or highest
        (``max``) scores from the first non-empty of the ``num_keys``
        sorted sets ``keys``: [key, [[member, score], ...]], or None."""
        pieces = _numkeys_args('ZMPOP', num_keys, keys)
        pieces.append(_min_or_max('ZMPOP', min, max))
        if count is not None:
            pieces += ['COUNT', count]
        return self.execute_command('ZMPOP', *pieces)

    def bzmpop(self, timeout: Number, numkeys: int, keys: KeysT,
               min: bool = False, max: bool = False,
               count: Optional[int] = 1) -> ResponseT:
        "zmpop that waits up to ``timeout`` seconds (0: forever) for a member"
        pieces = [timeout] + _numkeys_args('BZMPOP', numkeys, keys)
        pieces.append(_min_or_max('BZMPOP', min, max))
        if count is not None:
            pieces += ['COUNT', count]
        return self.execute_command('BZMPOP', *pieces)

    def zdiff(self, keys: KeysT, withscores: bool = False) -> ResponseT:
        """Members of the first sorted set of ``keys`` in none of the
        others; ``withscores`` gives (member, score) pairs."""
        keys = _key_list(keys)
        pieces = ['ZDIFF', len(keys)] + keys
        if withscores:
            pieces.append('WITHSCORES')
        return self.execute_command(*pieces, withscores=withscores)

    def zdiffstore(self, dest: KeyT, keys: KeysT) -> ResponseT:
        "Store zdiff(keys) in ``dest``; the number of members stored"
        keys = _key_list(keys)
        return self.execute_command('ZDIFFSTORE', dest, len(keys), *keys)

    def zinter(self, keys: ZSetKeysT, aggregate: Optional[str] = None,
               withscores: bool = False) -> ResponseT:
        """The intersection of the sorted sets ``keys`` (a list, or a dict
        of name -> weight); ``aggregate`` is 'SUM', 'MIN' or 'MAX'."""
        return self._zaggregate('ZINTER', None, keys, aggregate,
                                withscores=withscores)

    def zunion(self, keys: ZSetKeysT, aggregate: Optional[str] = None,
               withscores: bool = False,
               score_cast_func: ScoreCastT = float) -> ResponseT:
        """The union of the sorted sets ``keys`` (a list, or a dict of name
        -> weight); ``aggregate`` is 'SUM', 'MIN' or 'MAX'."""
        return self._zaggregate('ZUNION', None, keys, aggregate,
                                withscores=withscores,
                                score_cast_func=score_cast_func)

    def zintercard(self, numkeys: int, keys: KeysT,
                   limit: int = 0) -> ResponseT:
        """The size of the intersection of the ``numkeys`` sorted sets
        ``keys``, counting no further than ``limit`` (0: no limit)"""
        pieces = _numkeys_args('ZINTERCARD', numkeys, keys)
        return self.execute_command('ZINTERCARD', *(pieces +
                                                    ['LIMIT', limit]))

    def zmscore(self, key: KeyT, members: Iterable[EncodableT]) -> ResponseT:
        "The scores of ``members`` of ``key`` as floats, None where absent"
        members = list(members)
        if not members:
            raise DataError('ZMSCORE members must be a non-empty list')
        return self.execute_command('ZMSCORE', key, *members)

    def zrandmember(self, key: KeyT, count: Optional[int] = None,
                    withscores: bool = False) -> ResponseT:
        """A random member of ``key``, or with ``count`` a list of that many
        (negative: repeats allowed); ``withscores`` gives (member, score)
        pairs and needs ``count``."""
        pieces = ['ZRANDMEMBER', key]
        if count is not None:
            pieces.append(count)
        elif withscores:
            raise DataError('ZRANDMEMBER withscores needs a count')
        if withscores:
            pieces.append('WITHSCORES')
        return self.execute_command(*pieces, withscores=withscores)

    def _zaggregate(self, command, dest, keys, aggregate=None,
                    **options):
        """Shared body of ZINTER(STORE) and ZUNION(STORE) (``dest`` None for
        the ones that return the result); ``options`` go to the callback"""
        names = list(keys)
        pieces = [command] + ([dest] if dest is not None else [])
        pieces.append(len(names))
        pieces.extend(names)
        if isinstance(keys, dict):
            # the weights follow the names, in the same order
            pieces.append('WEIGHTS')
            pieces.extend(keys[key] for key in names)
        if aggregate:
            pieces.append('AGGREGATE')
            pieces.append(aggregate)
        if options.get('withscores'):
            pieces.append('WITHSCORES')
        return self.execute_command(*pieces, **options)
