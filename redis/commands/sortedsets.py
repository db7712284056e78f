"""Commands on sorted sets: ZADD, ZRANGE, ZSCORE, ..."""
from redis.exceptions import DataError


def _limit(start, num):
    # LIMIT needs both an offset and a count; one without the other is a
    # caller mistake, caught before anything is sent.
    if (start is None) != (num is None):
        raise DataError("``start`` and ``num`` must both be specified")
    if start is None:
        return []
    return ['LIMIT', start, num]


class SortedSetCommands(object):
    """Commands on sorted sets: ZADD, ZRANGE, ZSCORE, ..."""

    def zadd(self, name, *args, **kwargs):
        """Add members with scores to the sorted set ``name``.

        Positional arguments alternate score and member, as ZADD itself
        does: ``zadd('k', 1.5, 'a', 2, 'b')``; keyword arguments map a
        member to its score: ``zadd('k', a=1.5, b=2)``. Returns the number
        of members added.
        """
        if len(args) % 2:
            raise DataError("ZADD requires an equal number of "
                            "values and scores")
        pieces = list(args)
        for member, score in kwargs.items():
            pieces.append(score)
            pieces.append(member)
        return self.execute_command('ZADD', name, *pieces)

    def zcard(self, name):
        "The number of members of the sorted set ``name``"
        return self.execute_command('ZCARD', name)

    def zcount(self, name, min, max):
        "The number of members of ``name`` scored between ``min`` and ``max``"
        return self.execute_command('ZCOUNT', name, min, max)

    def zincrby(self, name, value, amount=1):
        "Add ``amount`` to the score of ``value`` in ``name``; the new score"
        return self.execute_command('ZINCRBY', name, amount, value)

    def zinterstore(self, dest, keys, aggregate=None):
        """Store the intersection of the sorted sets ``keys`` in ``dest``.

        ``keys`` is a list of names, or a dict of name -> weight;
        ``aggregate`` is 'SUM' (the server's default), 'MIN' or 'MAX'.
        """
        return self._zaggregate('ZINTERSTORE', dest, keys, aggregate)

    def zlexcount(self, name, min, max):
        "The number of members of ``name`` between ``min`` and ``max`` by lex"
        return self.execute_command('ZLEXCOUNT', name, min, max)

    def zrange(self, name, start, end, desc=False, withscores=False,
               score_cast_func=float):
        """Members of ``name`` ranked ``start`` to ``end`` (inclusive, may be
        negative), lowest score first, or highest first if ``desc``.

        ``withscores`` returns (member, score) pairs, each score passed
        through ``score_cast_func``.
        """
        if desc:
            return self.zrevrange(name, start, end, withscores,
                                  score_cast_func)
        pieces = ['ZRANGE', name, start, end]
        if withscores:
            pieces.append('WITHSCORES')
        return self.execute_command(*pieces, withscores=withscores,
                                    score_cast_func=score_cast_func)

    def zrangebylex(self, name, min, max, start=None, num=None):
        """Members of ``name`` from ``min`` to ``max`` by lex order ('[a',
        '(a', '-', '+'); ``start`` and ``num`` slice the result."""
        pieces = ['ZRANGEBYLEX', name, min, max] + _limit(start, num)
        return self.execute_command(*pieces)

    def zrevrangebylex(self, name, max, min, start=None, num=None):
        """Members of ``name`` from ``max`` down to ``min`` by lex order;
        ``start`` and ``num`` slice the result."""
        pieces = ['ZREVRANGEBYLEX', name, max, min] + _limit(start, num)
        return self.execute_command(*pieces)

    def zrangebyscore(self, name, min, max, start=None, num=None,
                      withscores=False, score_cast_func=float):
        """Members of ``name`` scored ``min`` to ``max``, lowest first.

        ``start`` and ``num`` slice the result; ``withscores`` returns
        (member, score) pairs, each score passed through ``score_cast_func``.
        """
        pieces = ['ZRANGEBYSCORE', name, min, max] + _limit(start, num)
        if withscores:
            pieces.append('WITHSCORES')
        return self.execute_command(*pieces, withscores=withscores,
                                    score_cast_func=score_cast_func)

    def zrank(self, name, value):
        "The 0-based rank of ``value`` in ``name`` by ascending score, or None"
        return self.execute_command('ZRANK', name, value)

    def zrem(self, name, *values):
        "Remove ``values`` from ``name``; the number removed"
        return self.execute_command('ZREM', name, *values)

    def zremrangebylex(self, name, min, max):
        "Remove members of ``name`` between ``min`` and ``max`` by lex order"
        return self.execute_command('ZREMRANGEBYLEX', name, min, max)

    def zremrangebyrank(self, name, min, max):
        "Remove members of ``name`` ranked ``min`` to ``max`` (0-based)"
        return self.execute_command('ZREMRANGEBYRANK', name, min, max)

    def zremrangebyscore(self, name, min, max):
        "Remove members of ``name`` scored ``min`` to ``max``"
        return self.execute_command('ZREMRANGEBYSCORE', name, min, max)

    def zrevrange(self, name, start, end, withscores=False,
                  score_cast_func=float):
        """Members of ``name`` ranked ``start`` to ``end``, highest score
        first; ``withscores`` returns (member, score) pairs, each score passed
        through ``score_cast_func``."""
        pieces = ['ZREVRANGE', name, start, end]
        if withscores:
            pieces.append('WITHSCORES')
        return self.execute_command(*pieces, withscores=withscores,
                                    score_cast_func=score_cast_func)

    def zrevrangebyscore(self, name, max, min, start=None, num=None,
                         withscores=False, score_cast_func=float):
        """Members of ``name`` scored ``max`` down to ``min``, highest first.

        ``start`` and ``num`` slice the result; ``withscores`` returns
        (member, score) pairs, each score passed through ``score_cast_func``.
        """
        pieces = ['ZREVRANGEBYSCORE', name, max, min] + _limit(start, num)
        if withscores:
            pieces.append('WITHSCORES')
        return self.execute_command(*pieces, withscores=withscores,
                                    score_cast_func=score_cast_func)

    def zrevrank(self, name, value):
        "The 0-based rank of ``value`` in ``name``, highest first, or None"
        return self.execute_command('ZREVRANK', name, value)

    def zscore(self, name, value):
        "The score of ``value`` in ``name`` as a float, or None"
        return self.execute_command('ZSCORE', name, value)

    def zunionstore(self, dest, keys, aggregate=None):
        """Store the union of the sorted sets ``keys`` in ``dest``.

        ``keys`` is a list of names, or a dict of name -> weight;
        ``aggregate`` is 'SUM' (the server's default), 'MIN' or 'MAX'.
        """
        return self._zaggregate('ZUNIONSTORE', dest, keys, aggregate)

    def _zaggregate(self, command, dest, keys, aggregate=None):
        "Shared body of ZINTERSTORE and ZUNIONSTORE"
        names = list(keys)
        pieces = [command, dest, len(names)]
        pieces.extend(names)
        if isinstance(keys, dict):
            # the weights follow the names, in the same order
            pieces.append('WEIGHTS')
            pieces.extend(keys[key] for key in names)
        if aggregate:
            pieces.append('AGGREGATE')
            pieces.append(aggregate)
        return self.execute_command(*pieces)
