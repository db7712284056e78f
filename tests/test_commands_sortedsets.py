"""Sorted set commands against a real server, under both parsers."""
import pytest

from redis.exceptions import DataError, ResponseError

from checks import same


# ---- ZADD / ZCARD / ZSCORE / ZINCRBY ----------------------------------------

def test_zadd_positional_score_member_pairs(r):
    same(r.zadd('z', 1, 'a', 2.5, 'b'), 2)
    same(r.zrange('z', 0, -1, withscores=True), [(b'a', 1.0), (b'b', 2.5)])
    # an existing member is updated, not added
    same(r.zadd('z', 3, 'a'), 0)
    same(r.zscore('z', 'a'), 3.0)


def test_zadd_keyword_pairs(r):
    same(r.zadd('z', a=1, b=0.5), 2)
    same(r.zadd('z', 7, 'c', d=4), 2)
    same(r.zrange('z', 0, -1), [b'b', b'a', b'd', b'c'])


def test_zadd_odd_arguments_raise_before_sending(offline):
    with pytest.raises(DataError):
        offline.zadd('z', 1, 'a', 2)
    with pytest.raises(DataError):
        offline.zadd('z', 1)


def test_zadd_binary_and_unicode_members(r, rd):
    same(r.zadd('z', 1, b'\x00\xff\r\n', 2, u'\u00fc\u20ac'), 2)
    same(r.zrange('z', 0, -1),
         [b'\x00\xff\r\n', u'\u00fc\u20ac'.encode('utf-8')])
    same(rd.zrange('z', 1, 1, withscores=True), [(u'\u00fc\u20ac', 2.0)])
    same(r.zscore('z', b'\x00\xff\r\n'), 1.0)
    same(rd.zscore('z', u'\u00fc\u20ac'), 2.0)


def test_zadd_float_scores_keep_their_precision(r):
    r.zadd('z', 0.1, 'a', 1e-300, 'b', -2.5e10, 'c')
    same(r.zscore('z', 'a'), 0.1)
    same(r.zscore('z', 'b'), 1e-300)
    same(r.zscore('z', 'c'), -2.5e10)


def test_zadd_wrong_type_is_a_response_error(r):
    r.set('s', 'x')
    with pytest.raises(ResponseError, match='WRONGTYPE'):
        r.zadd('s', 1, 'a')


def test_zadd_bad_score_is_a_response_error(r):
    with pytest.raises(ResponseError, match='not a valid float'):
        r.zadd('z', 'notanumber', 'a')


def test_zcard(r):
    same(r.zcard('z'), 0)
    r.zadd('z', 1, 'a', 2, 'b')
    same(r.zcard('z'), 2)


def test_zscore_missing_and_infinite(r, rd):
    same(r.zscore('z', 'a'), None)
    r.zadd('z', '+inf', 'top', '-inf', 'bottom')
    same(r.zscore('z', 'top'), float('inf'))
    same(rd.zscore('z', 'bottom'), float('-inf'))
    same(r.zscore('z', 'nope'), None)


def test_zincrby_value_then_amount(r, rd):
    same(r.zincrby('z', 'a'), 1.0)
    same(r.zincrby('z', 'a', 2.5), 3.5)
    same(rd.zincrby('z', 'a', amount=-4), -0.5)
    same(r.zscore('z', 'a'), -0.5)


def test_zincrby_non_numeric_amount_is_a_response_error(r):
    with pytest.raises(ResponseError):
        r.zincrby('z', 'a', 'x')


# ---- ZCOUNT / ZLEXCOUNT -----------------------------------------------------

def test_zcount(r):
    r.zadd('z', 1, 'a', 2, 'b', 3, 'c')
    same(r.zcount('z', '-inf', '+inf'), 3)
    same(r.zcount('z', 2, 3), 2)
    same(r.zcount('z', '(2', 3), 1)
    same(r.zcount('z', 10, 20), 0)
    with pytest.raises(ResponseError, match='not a float'):
        r.zcount('z', 'x', 3)


def test_zlexcount(r):
    r.zadd('z', 0, 'a', 0, 'b', 0, 'c', 0, 'd')
    same(r.zlexcount('z', '-', '+'), 4)
    same(r.zlexcount('z', '[b', '(d'), 2)
    with pytest.raises(ResponseError):
        r.zlexcount('z', 'b', 'd')


# ---- ZRANGE / ZREVRANGE -----------------------------------------------------

def test_zrange(r, rd):
    r.zadd('z', 1, 'a', 2, 'b', 3, 'c')
    same(r.zrange('z', 0, 1), [b'a', b'b'])
    same(r.zrange('z', -2, -1), [b'b', b'c'])
    same(rd.zrange('z', 0, -1), ['a', 'b', 'c'])
    same(r.zrange('z', 5, 9), [])
    same(r.zrange('missing', 0, -1), [])
    same(r.zrange('missing', 0, -1, withscores=True), [])


def test_zrange_withscores_pairs(r, rd):
    r.zadd('z', 1, 'a', 2.5, 'b')
    same(r.zrange('z', 0, -1, withscores=True), [(b'a', 1.0), (b'b', 2.5)])
    same(rd.zrange('z', 0, -1, withscores=True), [('a', 1.0), ('b', 2.5)])


def test_zrange_score_cast_func(r, rd):
    r.zadd('z', 1, 'a', 2, 'b')
    same(r.zrange('z', 0, -1, withscores=True, score_cast_func=int),
         [(b'a', 1), (b'b', 2)])
    # the function gets the score as the server sent it
    same(r.zrange('z', 0, 0, withscores=True, score_cast_func=lambda s: s),
         [(b'a', b'1')])
    same(rd.zrange('z', 0, 0, withscores=True, score_cast_func=lambda s: s),
         [('a', '1')])


def test_zrange_desc(r):
    r.zadd('z', 1, 'a', 2, 'b', 3, 'c')
    same(r.zrange('z', 0, 1, desc=True), [b'c', b'b'])
    same(r.zrange('z', 0, 0, desc=True, withscores=True,
                  score_cast_func=int), [(b'c', 3)])


def test_zrevrange(r, rd):
    r.zadd('z', 1, 'a', 2, 'b', 3, 'c')
    same(r.zrevrange('z', 0, -1), [b'c', b'b', b'a'])
    same(rd.zrevrange('z', 1, 2, withscores=True), [('b', 2.0), ('a', 1.0)])
    same(r.zrevrange('z', 0, 0, True, int), [(b'c', 3)])


def test_zrange_wrong_type(r):
    r.set('s', 'x')
    with pytest.raises(ResponseError, match='WRONGTYPE'):
        r.zrange('s', 0, -1)


# ---- by score ---------------------------------------------------------------

def test_zrangebyscore(r, rd):
    r.zadd('z', 1, 'a', 2, 'b', 3, 'c', 4, 'd')
    same(r.zrangebyscore('z', 2, 3), [b'b', b'c'])
    same(r.zrangebyscore('z', '(1', '+inf'), [b'b', b'c', b'd'])
    same(r.zrangebyscore('z', '-inf', '+inf', start=1, num=2),
         [b'b', b'c'])
    same(rd.zrangebyscore('z', 3, 4, withscores=True),
         [('c', 3.0), ('d', 4.0)])
    same(r.zrangebyscore('z', 1, 4, 0, 1, True, int), [(b'a', 1)])
    same(r.zrangebyscore('z', 10, 20), [])


def test_zrevrangebyscore(r, rd):
    r.zadd('z', 1, 'a', 2, 'b', 3, 'c', 4, 'd')
    same(r.zrevrangebyscore('z', 3, 2), [b'c', b'b'])
    same(r.zrevrangebyscore('z', '+inf', '-inf', start=1, num=2),
         [b'c', b'b'])
    same(rd.zrevrangebyscore('z', 4, 3, withscores=True),
         [('d', 4.0), ('c', 3.0)])
    same(r.zrevrangebyscore('z', 4, 1, 0, 1, True, int), [(b'd', 4)])
    # max comes first: the other way round finds nothing
    same(r.zrevrangebyscore('z', 2, 3), [])


@pytest.mark.parametrize('method', ['zrangebyscore', 'zrevrangebyscore',
                                    'zrangebylex', 'zrevrangebylex'])
def test_limit_needs_start_and_num(offline, method):
    low, high = (1, 2) if 'score' in method else ('-', '+')
    with pytest.raises(DataError):
        getattr(offline, method)('z', low, high, start=1)
    with pytest.raises(DataError):
        getattr(offline, method)('z', low, high, num=1)


# ---- by lex -----------------------------------------------------------------

def test_zrangebylex(r, rd):
    r.zadd('z', 0, 'a', 0, 'b', 0, 'c', 0, 'd')
    same(r.zrangebylex('z', '-', '[c'), [b'a', b'b', b'c'])
    same(r.zrangebylex('z', '(a', '(d'), [b'b', b'c'])
    same(rd.zrangebylex('z', '-', '+', start=1, num=2), ['b', 'c'])
    same(r.zrangebylex('z', '[x', '+'), [])


def test_zrevrangebylex(r, rd):
    r.zadd('z', 0, 'a', 0, 'b', 0, 'c', 0, 'd')
    same(r.zrevrangebylex('z', '[c', '-'), [b'c', b'b', b'a'])
    same(rd.zrevrangebylex('z', '+', '-', start=1, num=2), ['c', 'b'])
    with pytest.raises(ResponseError):
        r.zrevrangebylex('z', 'c', '-')


# ---- ranks and removal ------------------------------------------------------

def test_zrank_and_zrevrank(r, rd):
    r.zadd('z', 1, 'a', 2, 'b', 3, 'c')
    same(r.zrank('z', 'a'), 0)
    same(rd.zrank('z', 'c'), 2)
    same(r.zrevrank('z', 'a'), 2)
    same(rd.zrevrank('z', 'c'), 0)
    same(r.zrank('z', 'x'), None)
    same(r.zrevrank('missing', 'x'), None)


def test_zrem(r):
    r.zadd('z', 1, 'a', 2, 'b', 3, 'c')
    same(r.zrem('z', 'a'), 1)
    same(r.zrem('z', 'b', 'c', 'x'), 2)
    same(r.zrem('z', 'a'), 0)
    same(r.exists('z'), False)


def test_zremrangebylex(r):
    r.zadd('z', 0, 'a', 0, 'b', 0, 'c', 0, 'd')
    same(r.zremrangebylex('z', '[b', '(d'), 2)
    same(r.zrange('z', 0, -1), [b'a', b'd'])
    same(r.zremrangebylex('z', '[x', '+'), 0)


def test_zremrangebyrank(r):
    r.zadd('z', 1, 'a', 2, 'b', 3, 'c', 4, 'd')
    same(r.zremrangebyrank('z', 0, 1), 2)
    same(r.zremrangebyrank('z', -1, -1), 1)
    same(r.zrange('z', 0, -1), [b'c'])


def test_zremrangebyscore(r):
    r.zadd('z', 1, 'a', 2, 'b', 3, 'c', 4, 'd')
    same(r.zremrangebyscore('z', '(1', 3), 2)
    same(r.zremrangebyscore('z', 10, 20), 0)
    same(r.zrange('z', 0, -1), [b'a', b'd'])


# ---- ZINTERSTORE / ZUNIONSTORE ----------------------------------------------

@pytest.fixture
def three(r):
    r.zadd('a', 1, 'a1', 1, 'a2', 1, 'a3')
    r.zadd('b', 2, 'a1', 2, 'a3', 2, 'a4')
    r.zadd('c', 6, 'a1', 5, 'a3', 4, 'a4')
    return r


def test_zinterstore_sum(three):
    same(three.zinterstore('d', ['a', 'b', 'c']), 2)
    same(three.zrange('d', 0, -1, withscores=True),
         [(b'a3', 8.0), (b'a1', 9.0)])


def test_zinterstore_aggregates(three):
    same(three.zinterstore('d', ['a', 'b', 'c'], aggregate='MAX'), 2)
    same(three.zrange('d', 0, -1, withscores=True),
         [(b'a3', 5.0), (b'a1', 6.0)])
    same(three.zinterstore('d', ('a', 'b', 'c'), 'MIN'), 2)
    same(three.zrange('d', 0, -1, withscores=True),
         [(b'a1', 1.0), (b'a3', 1.0)])


def test_zinterstore_weights_from_a_dict(three):
    same(three.zinterstore('d', {'a': 1, 'b': 2, 'c': 3}), 2)
    same(three.zrange('d', 0, -1, withscores=True),
         [(b'a3', 20.0), (b'a1', 23.0)])


def test_zunionstore(three, rd):
    same(three.zunionstore('d', ['a', 'b', 'c']), 4)
    same(rd.zrange('d', 0, -1, withscores=True),
         [('a2', 1.0), ('a4', 6.0), ('a3', 8.0), ('a1', 9.0)])
    same(three.zunionstore('d', {'a': 1, 'b': 2, 'c': 3}, 'MAX'), 4)
    same(rd.zrange('d', 0, -1, withscores=True),
         [('a2', 1.0), ('a4', 12.0), ('a3', 15.0), ('a1', 18.0)])


def test_zunionstore_bad_aggregate_is_a_response_error(three):
    with pytest.raises(ResponseError, match='syntax error'):
        three.zunionstore('d', ['a', 'b'], aggregate='AVG')


def test_zunionstore_of_missing_keys(r):
    same(r.zunionstore('d', ['x', 'y']), 0)
    same(r.exists('d'), False)
