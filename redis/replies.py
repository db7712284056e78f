"""Reply conversions: the parse_* helpers and the command -> callback tables.

Every function here is pure: it gets the reply as the reader produced it
(bytes, or str when the client has ``decode_responses=True``; ints for
integer replies; lists for arrays) plus the keyword options the command
method passed to ``execute_command``, and returns the Python value that
redis-py 2.10.6 returned for that command.

The parsers of server, sentinel and cluster replies live in
``redis.replies_server`` and are re-exported here.

``RESPONSE_CALLBACKS`` is the content of 2.10.6's
``StrictRedis.RESPONSE_CALLBACKS``; ``LEGACY_RESPONSE_CALLBACKS`` adds the
overrides of its legacy ``Redis`` class.
"""
import datetime

from redis.replies_server import (
    SENTINEL_STATE_TYPES, pairs_to_dict_typed, parse_node_line,
    parse_client_list, parse_cluster_info, parse_cluster_nodes,
    parse_debug_object, parse_info, parse_sentinel_get_master,
    parse_sentinel_master, parse_sentinel_masters, parse_sentinel_state,
    parse_sentinel_slaves_and_sentinels, parse_slowlog_get,
)
from redis.replies_admin import ADMIN_CALLBACKS
from redis.replies_data import DATA_CALLBACKS
from redis.utils import nativestr

# 2.10.6's redis.client name for it
_parse_node_line = parse_node_line

__all__ = [
    'list_or_args', 'nativestr', 'timestamp_to_datetime',
    'string_keys_to_dict', 'dict_merge', 'parse_debug_object',
    'parse_object', 'parse_info', 'SENTINEL_STATE_TYPES',
    'parse_sentinel_state', 'parse_sentinel_master', 'parse_sentinel_masters',
    'parse_sentinel_slaves_and_sentinels', 'parse_sentinel_get_master',
    'pairs_to_dict', 'pairs_to_dict_typed', 'zset_score_pairs',
    'sort_return_tuples', 'int_or_none', 'float_or_none', 'bool_ok',
    'parse_client_list', 'parse_config_get', 'parse_scan', 'parse_hscan',
    'parse_zscan', 'parse_slowlog_get', 'parse_cluster_info',
    '_parse_node_line', 'parse_cluster_nodes', 'parse_georadius_generic',
    'parse_pubsub_numsub',
]

# Types a lone key may have; anything else iterable is a collection of keys.
# (bytearray and memoryview iterate as ints, so they must count as one key.)
_SINGLE_KEY_TYPES = (str, bytes, bytearray, memoryview)


def list_or_args(keys, args):
    """Return one new list of keys from ``keys`` (a single key or an iterable
    of keys) followed by ``args``. The caller's list is never modified."""
    if isinstance(keys, _SINGLE_KEY_TYPES):
        keys = [keys]
    else:
        try:
            keys = list(keys)
        except TypeError:
            # a single non-iterable key such as an int
            keys = [keys]
    if args:
        keys.extend(args)
    return keys


def timestamp_to_datetime(response):
    "Converts a unix timestamp to a Python datetime object"
    if not response:
        return None
    try:
        response = int(response)
    except (TypeError, ValueError):
        return None
    return datetime.datetime.fromtimestamp(response)


def string_keys_to_dict(key_string, callback):
    "Map each whitespace separated name in ``key_string`` to ``callback``"
    return dict.fromkeys(key_string.split(), callback)


def dict_merge(*dicts):
    "One new dict with the items of ``dicts``; later ones win"
    merged = {}
    for d in dicts:
        merged.update(d)
    return merged


# ---- generic shapes ---------------------------------------------------------

def pairs_to_dict(response):
    "Create a dict given a list of key/value pairs"
    it = iter(response)
    return dict(zip(it, it))


def zset_score_pairs(response, **options):
    """
    If ``withscores`` is specified in the options, return the response as
    a list of (value, score) pairs, each score passed through
    ``score_cast_func`` (float by default)
    """
    if not response or not options.get('withscores'):
        return response
    score_cast_func = options.get('score_cast_func', float)
    it = iter(response)
    return list(zip(it, map(score_cast_func, it)))


def sort_return_tuples(response, **options):
    """
    If ``groups`` is specified, return the response as a list of
    n-element tuples with n being the value found in options['groups']
    """
    n = options.get('groups')
    if not response or not n:
        return response
    return list(zip(*[response[i::n] for i in range(n)]))


def int_or_none(response):
    "int of the reply, None for a nil reply"
    if response is None:
        return None
    return int(response)


def float_or_none(response):
    "float of the reply, None for a nil reply"
    if response is None:
        return None
    return float(response)


def bool_ok(response):
    "True if the reply is the status OK"
    # two comparisons instead of nativestr(): this runs for every SET-like call
    return response == b'OK' or response == 'OK'


# ---- other replies ---------------------------------------------------------

def parse_object(response, infotype=None):
    "Parse the results of an OBJECT command"
    if infotype in ('idletime', 'refcount'):
        return int_or_none(response)
    return response


def parse_config_get(response, **options):
    "CONFIG GET's name/value list as a dict of str"
    response = [nativestr(i) if i is not None else None for i in response]
    return response and pairs_to_dict(response) or {}


def parse_scan(response, **options):
    "(cursor as an int, list of keys)"
    cursor, r = response
    return int(cursor), r


def parse_hscan(response, **options):
    "(cursor as an int, dict of field -> value)"
    cursor, r = response
    return int(cursor), r and pairs_to_dict(r) or {}


def parse_zscan(response, **options):
    "(cursor as an int, list of (member, score_cast_func(score)))"
    score_cast_func = options.get('score_cast_func', float)
    cursor, r = response
    it = iter(r)
    return int(cursor), list(zip(it, map(score_cast_func, it)))


def parse_pubsub_numsub(response, **options):
    "PUBSUB NUMSUB as a list of (channel, subscriber count) tuples"
    return list(zip(response[0::2], response[1::2]))


# ---- geo --------------------------------------------------------------------

def _coordinates(pair):
    return (float(pair[0]), float(pair[1]))


def parse_georadius_generic(response, **options):
    """GEORADIUS / GEORADIUSBYMEMBER: a list of place names (str), or with
    any of withdist/withhash/withcoord a list of [name, dist, hash, (lon,
    lat)] lists holding just the parts asked for, in that order. With store
    or store_dist the reply (a count) is returned as is."""
    if options.get('store') or options.get('store_dist'):
        return response
    places = response if isinstance(response, list) else [response]
    casts = [nativestr]
    if options.get('withdist'):
        casts.append(float)
    if options.get('withhash'):
        casts.append(int)
    if options.get('withcoord'):
        casts.append(_coordinates)
    if len(casts) == 1:
        return [nativestr(place) for place in places]
    return [[cast(part) for cast, part in zip(casts, place)]
            for place in places]


def _geohash(response):
    return [nativestr(h) if h is not None else None for h in response]


def _geopos(response):
    return [_coordinates(p) if p is not None else None for p in response]


# ---- small callbacks of the table -------------------------------------------
# Named functions, not lambdas, so tracebacks and reprs say what they are.

def _int_or_ok(response):
    # LPUSH/RPUSH: the new length (very old servers answered OK)
    if isinstance(response, int):
        return response
    return nativestr(response) == 'OK'


def _tuple_or_none(response):
    return tuple(response) if response else None


def _to_set(response):
    return set(response) if response else set()


def _true(response):
    return True


def _name_or_none(response):
    return nativestr(response) if response else response


def _hgetall(response):
    return pairs_to_dict(response) if response else {}


def _pong(response):
    return response == b'PONG' or response == 'PONG'


def _key_or_none(response):
    return response if response else None


def _bools(response):
    return list(map(bool, response))


def _set_result(response, **options):
    # nil (a NX/XX condition not met) stays None; with GET (set's get=True)
    # the reply is the old value, as read
    if not response or options.get('get'):
        return response
    return response == b'OK' or response == 'OK'


def _zadd(response, **options):
    # the count of members added; with INCR (zadd's mapping form) the new
    # score, or None when a condition stopped it
    if options.get('as_score'):
        return float_or_none(response)
    return int(response)


def _kill_result(response):
    # CLIENT KILL ip:port answers OK; the filter form (client_kill_filter)
    # answers how many clients it disconnected
    if isinstance(response, int):
        return response
    return response == b'OK' or response == 'OK'


def _time(response):
    return (int(response[0]), int(response[1]))


def _positive_or_none(response):
    # legacy TTL/PTTL: None for "no expiry"/"no key" (-1/-2), and, as in
    # 2.10.6, for 0 too
    if response is None or response <= 0:
        return None
    return response


RESPONSE_CALLBACKS = dict_merge(
    string_keys_to_dict(
        'AUTH EXISTS EXPIRE EXPIREAT HEXISTS HMSET MOVE MSETNX PERSIST '
        'PSETEX RENAMENX SISMEMBER SMOVE SETEX SETNX',
        bool
    ),
    string_keys_to_dict(
        'BITCOUNT BITPOS DECRBY DEL GETBIT HDEL HLEN HSTRLEN INCRBY '
        'LINSERT LLEN LPUSHX PFADD PFCOUNT RPUSHX SADD SCARD SDIFFSTORE '
        'SETBIT SETRANGE SINTERSTORE SREM STRLEN SUNIONSTORE ZCARD '
        'ZLEXCOUNT ZREM ZREMRANGEBYLEX ZREMRANGEBYRANK ZREMRANGEBYSCORE '
        'GEOADD',
        int
    ),
    string_keys_to_dict('INCRBYFLOAT HINCRBYFLOAT', float),
    # 2.10.6 used float for GEODIST, which raised on the nil reply for a
    # missing member; float_or_none gives the same floats and None there.
    string_keys_to_dict('GEODIST', float_or_none),
    string_keys_to_dict('LPUSH RPUSH', _int_or_ok),
    string_keys_to_dict('SORT', sort_return_tuples),
    string_keys_to_dict('ZSCORE ZINCRBY', float_or_none),
    string_keys_to_dict(
        'FLUSHALL FLUSHDB LSET LTRIM MSET PFMERGE RENAME '
        'SAVE SELECT SHUTDOWN SLAVEOF WATCH UNWATCH',
        bool_ok
    ),
    string_keys_to_dict('BLPOP BRPOP', _tuple_or_none),
    string_keys_to_dict('SDIFF SINTER SMEMBERS SUNION', _to_set),
    string_keys_to_dict(
        'ZRANGE ZRANGEBYSCORE ZREVRANGE ZREVRANGEBYSCORE',
        zset_score_pairs
    ),
    string_keys_to_dict('ZRANK ZREVRANK', int_or_none),
    string_keys_to_dict('BGREWRITEAOF BGSAVE', _true),
    {
        'CLIENT GETNAME': _name_or_none,
        'CLIENT KILL': _kill_result,
        'CLIENT LIST': parse_client_list,
        'CLIENT SETNAME': bool_ok,
        'CLUSTER ADDSLOTS': bool_ok,
        'CLUSTER COUNT-FAILURE-REPORTS': int,
        'CLUSTER COUNTKEYSINSLOT': int,
        'CLUSTER DELSLOTS': bool_ok,
        'CLUSTER FAILOVER': bool_ok,
        'CLUSTER FORGET': bool_ok,
        'CLUSTER INFO': parse_cluster_info,
        'CLUSTER KEYSLOT': int,
        'CLUSTER MEET': bool_ok,
        'CLUSTER NODES': parse_cluster_nodes,
        'CLUSTER REPLICATE': bool_ok,
        'CLUSTER RESET': bool_ok,
        'CLUSTER SAVECONFIG': bool_ok,
        'CLUSTER SET-CONFIG-EPOCH': bool_ok,
        'CLUSTER SETSLOT': bool_ok,
        'CLUSTER SLAVES': parse_cluster_nodes,
        'CONFIG GET': parse_config_get,
        'CONFIG RESETSTAT': bool_ok,
        'CONFIG SET': bool_ok,
        'DEBUG OBJECT': parse_debug_object,
        'GEOHASH': _geohash,
        'GEOPOS': _geopos,
        'GEORADIUS': parse_georadius_generic,
        'GEORADIUSBYMEMBER': parse_georadius_generic,
        'HGETALL': _hgetall,
        'HSCAN': parse_hscan,
        'INFO': parse_info,
        'LASTSAVE': timestamp_to_datetime,
        'OBJECT': parse_object,
        'PING': _pong,
        'PUBSUB NUMSUB': parse_pubsub_numsub,
        'RANDOMKEY': _key_or_none,
        'SCAN': parse_scan,
        'SCRIPT EXISTS': _bools,
        'SCRIPT FLUSH': bool_ok,
        'SCRIPT KILL': bool_ok,
        'SCRIPT LOAD': nativestr,
        'SENTINEL GET-MASTER-ADDR-BY-NAME': parse_sentinel_get_master,
        'SENTINEL MASTER': parse_sentinel_master,
        'SENTINEL MASTERS': parse_sentinel_masters,
        'SENTINEL MONITOR': bool_ok,
        'SENTINEL REMOVE': bool_ok,
        'SENTINEL SENTINELS': parse_sentinel_slaves_and_sentinels,
        'SENTINEL SET': bool_ok,
        'SENTINEL SLAVES': parse_sentinel_slaves_and_sentinels,
        'SET': _set_result,
        'ZADD': _zadd,
        'SLOWLOG GET': parse_slowlog_get,
        'SLOWLOG LEN': int,
        'SLOWLOG RESET': bool_ok,
        'SSCAN': parse_scan,
        'TIME': _time,
        'ZSCAN': parse_zscan,
    }
)

# Commands 2.10.6 never had, with today's redis-py's reply shapes. They
# never replace an entry above: 2.10.6's commands keep 2.10.6's replies.
RESPONSE_CALLBACKS = dict_merge(DATA_CALLBACKS, ADMIN_CALLBACKS,
                                RESPONSE_CALLBACKS)

# The legacy Redis class's table: StrictRedis's plus its overrides.
LEGACY_RESPONSE_CALLBACKS = dict_merge(
    RESPONSE_CALLBACKS,
    {
        'TTL': _positive_or_none,
        'PTTL': _positive_or_none,
    }
)
