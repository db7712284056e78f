"""Facts about the public API of redis-py 2.10.6, written down as data for
test_api_surface.py: the names each module offers, the signatures of the
public methods and functions, the exception hierarchy and the commands
that have a reply callback.

Signatures are written the way ``inspect.signature`` prints them, except
that a default that is a class or a function is written by its name, and
the default parser class as ``DefaultParser``.

Names that 2.10.6 only had as Python 2/3 compatibility helpers (b, iteritems,
imap, unicode, xrange, ...) or as imported standard library names are left
out on purpose: they were never part of its documented API.
"""

MODULE_NAMES = {
    'redis': (
        'AuthenticationError BlockingConnectionPool BusyLoadingError '
        'Connection ConnectionError ConnectionPool DataError '
        'InvalidResponse PubSubError ReadOnlyError Redis RedisError '
        'ResponseError SSLConnection StrictRedis TimeoutError '
        'UnixDomainSocketConnection VERSION WatchError from_url '
    ).split(),
    'redis.client': (
        'BasePipeline ConnectionError ConnectionPool DataError '
        'ExecAbortError Lock LuaLock NoScriptError Pipeline PubSub '
        'PubSubError PubSubWorkerThread Redis RedisError ResponseError '
        'SENTINEL_STATE_TYPES SSLConnection SYM_EMPTY Script StrictPipeline '
        'StrictRedis TimeoutError Token UnixDomainSocketConnection '
        'WatchError _parse_node_line bool_ok dict_merge float_or_none '
        'int_or_none list_or_args nativestr pairs_to_dict '
        'pairs_to_dict_typed parse_client_list parse_cluster_info '
        'parse_cluster_nodes parse_config_get parse_debug_object '
        'parse_georadius_generic parse_hscan parse_info parse_object '
        'parse_pubsub_numsub parse_scan parse_sentinel_get_master '
        'parse_sentinel_master parse_sentinel_masters '
        'parse_sentinel_slaves_and_sentinels parse_sentinel_state '
        'parse_slowlog_get parse_zscan sort_return_tuples '
        'string_keys_to_dict timestamp_to_datetime zset_score_pairs '
    ).split(),
    'redis.connection': (
        'AuthenticationError BaseParser BlockingConnectionPool '
        'BusyLoadingError Connection ConnectionError ConnectionPool '
        'DefaultParser Encoder ExecAbortError FALSE_STRINGS '
        'HIREDIS_AVAILABLE HiredisParser InvalidResponse NoScriptError '
        'PythonParser ReadOnlyError RedisError ResponseError '
        'SERVER_CLOSED_CONNECTION_ERROR SSLConnection SYM_CRLF SYM_DOLLAR '
        'SYM_EMPTY SYM_STAR SocketBuffer TimeoutError Token '
        'URL_QUERY_ARGUMENT_PARSERS UnixDomainSocketConnection nativestr '
        'ssl_available to_bool '
    ).split(),
    'redis.exceptions': (
        'AuthenticationError BusyLoadingError ConnectionError DataError '
        'ExecAbortError InvalidResponse LockError NoScriptError PubSubError '
        'ReadOnlyError RedisError ResponseError TimeoutError WatchError '
    ).split(),
    'redis.lock': (
        'Lock LockError LuaLock WatchError '
    ).split(),
    'redis.sentinel': (
        'Connection ConnectionError ConnectionPool MasterNotFoundError '
        'ReadOnlyError ResponseError Sentinel SentinelConnectionPool '
        'SentinelManagedConnection SlaveNotFoundError StrictRedis '
        'TimeoutError nativestr '
    ).split(),
    'redis.utils': (
        'HIREDIS_AVAILABLE from_url pipeline '
    ).split(),
}

# the commands of StrictRedis.RESPONSE_CALLBACKS (the legacy Redis table
# overrides TTL and PTTL and has the same keys plus those two)
CALLBACK_COMMANDS = [name.strip() for name in (
    'AUTH | BGREWRITEAOF | BGSAVE | BITCOUNT | BITPOS | BLPOP | BRPOP | '
    'CLIENT GETNAME | CLIENT KILL | CLIENT LIST | CLIENT SETNAME | '
    'CLUSTER ADDSLOTS | CLUSTER COUNT-FAILURE-REPORTS | CLUSTER '
    'COUNTKEYSINSLOT | CLUSTER DELSLOTS | CLUSTER FAILOVER | CLUSTER '
    'FORGET | CLUSTER INFO | CLUSTER KEYSLOT | CLUSTER MEET | CLUSTER '
    'NODES | CLUSTER REPLICATE | CLUSTER RESET | CLUSTER SAVECONFIG | '
    'CLUSTER SET-CONFIG-EPOCH | CLUSTER SETSLOT | CLUSTER SLAVES | '
    'CONFIG GET | CONFIG RESETSTAT | CONFIG SET | DEBUG OBJECT | DECRBY '
    '| DEL | EXISTS | EXPIRE | EXPIREAT | FLUSHALL | FLUSHDB | GEOADD | '
    'GEODIST | GEOHASH | GEOPOS | GEORADIUS | GEORADIUSBYMEMBER | '
    'GETBIT | HDEL | HEXISTS | HGETALL | HINCRBYFLOAT | HLEN | HMSET | '
    'HSCAN | HSTRLEN | INCRBY | INCRBYFLOAT | INFO | LASTSAVE | LINSERT '
    '| LLEN | LPUSH | LPUSHX | LSET | LTRIM | MOVE | MSET | MSETNX | '
    'OBJECT | PERSIST | PFADD | PFCOUNT | PFMERGE | PING | PSETEX | '
    'PUBSUB NUMSUB | RANDOMKEY | RENAME | RENAMENX | RPUSH | RPUSHX | '
    'SADD | SAVE | SCAN | SCARD | SCRIPT EXISTS | SCRIPT FLUSH | SCRIPT '
    'KILL | SCRIPT LOAD | SDIFF | SDIFFSTORE | SELECT | SENTINEL '
    'GET-MASTER-ADDR-BY-NAME | SENTINEL MASTER | SENTINEL MASTERS | '
    'SENTINEL MONITOR | SENTINEL REMOVE | SENTINEL SENTINELS | SENTINEL '
    'SET | SENTINEL SLAVES | SET | SETBIT | SETEX | SETNX | SETRANGE | '
    'SHUTDOWN | SINTER | SINTERSTORE | SISMEMBER | SLAVEOF | SLOWLOG '
    'GET | SLOWLOG LEN | SLOWLOG RESET | SMEMBERS | SMOVE | SORT | SREM '
    '| SSCAN | STRLEN | SUNION | SUNIONSTORE | TIME | UNWATCH | WATCH | '
    'ZADD | ZCARD | ZINCRBY | ZLEXCOUNT | ZRANGE | ZRANGEBYSCORE | '
    'ZRANK | ZREM | ZREMRANGEBYLEX | ZREMRANGEBYRANK | ZREMRANGEBYSCORE '
    '| ZREVRANGE | ZREVRANGEBYSCORE | ZREVRANK | ZSCAN | ZSCORE '
).split('|')]


# exception -> the names of its bases in MRO order, up to Exception
EXCEPTION_BASES = {
    'redis.exceptions.AuthenticationError': ('RedisError', 'Exception'),
    'redis.exceptions.BusyLoadingError': ('ConnectionError', 'RedisError', 'Exception'),
    'redis.exceptions.ConnectionError': ('RedisError', 'Exception'),
    'redis.exceptions.DataError': ('RedisError', 'Exception'),
    'redis.exceptions.ExecAbortError': ('ResponseError', 'RedisError', 'Exception'),
    'redis.exceptions.InvalidResponse': ('RedisError', 'Exception'),
    'redis.exceptions.LockError': ('RedisError', 'ValueError', 'Exception'),
    'redis.exceptions.NoScriptError': ('ResponseError', 'RedisError', 'Exception'),
    'redis.exceptions.PubSubError': ('RedisError', 'Exception'),
    'redis.exceptions.ReadOnlyError': ('ResponseError', 'RedisError', 'Exception'),
    'redis.exceptions.RedisError': ('Exception',),
    'redis.exceptions.ResponseError': ('RedisError', 'Exception'),
    'redis.exceptions.TimeoutError': ('RedisError', 'Exception'),
    'redis.exceptions.WatchError': ('RedisError', 'Exception'),
    'redis.sentinel.MasterNotFoundError': ('ConnectionError', 'RedisError', 'Exception'),
    'redis.sentinel.SlaveNotFoundError': ('ConnectionError', 'RedisError', 'Exception'),
}


SIGNATURES = {
    'redis.client.StrictRedis': {
        '__contains__': '(self, name)',
        '__delitem__': '(self, name)',
        '__getitem__': '(self, name)',
        '__init__': (
            "(self, host='localhost', port=6379, db=0, password=None, "
            'socket_timeout=None, socket_connect_timeout=None, '
            'socket_keepalive=None, socket_keepalive_options=None, '
            'connection_pool=None, unix_socket_path=None, '
            "encoding='utf-8', encoding_errors='strict', charset=None, "
            'errors=None, decode_responses=False, '
            'retry_on_timeout=False, ssl=False, ssl_keyfile=None, '
            'ssl_certfile=None, ssl_cert_reqs=None, ssl_ca_certs=None, '
            'max_connections=None)'),
        '__setitem__': '(self, name, value)',
        'append': '(self, key, value)',
        'bgrewriteaof': '(self)',
        'bgsave': '(self)',
        'bitcount': '(self, key, start=None, end=None)',
        'bitop': '(self, operation, dest, *keys)',
        'bitpos': '(self, key, bit, start=None, end=None)',
        'blpop': '(self, keys, timeout=0)',
        'brpop': '(self, keys, timeout=0)',
        'brpoplpush': '(self, src, dst, timeout=0)',
        'client_getname': '(self)',
        'client_kill': '(self, address)',
        'client_list': '(self)',
        'client_setname': '(self, name)',
        'cluster': '(self, cluster_arg, *args)',
        'config_get': "(self, pattern='*')",
        'config_resetstat': '(self)',
        'config_rewrite': '(self)',
        'config_set': '(self, name, value)',
        'dbsize': '(self)',
        'debug_object': '(self, key)',
        'decr': '(self, name, amount=1)',
        'delete': '(self, *names)',
        'dump': '(self, name)',
        'echo': '(self, value)',
        'eval': '(self, script, numkeys, *keys_and_args)',
        'evalsha': '(self, sha, numkeys, *keys_and_args)',
        'execute_command': '(self, *args, **options)',
        'exists': '(self, name)',
        'expire': '(self, name, time)',
        'expireat': '(self, name, when)',
        'flushall': '(self)',
        'flushdb': '(self)',
        'from_url': '(cls, url, db=None, **kwargs)',
        'geoadd': '(self, name, *values)',
        'geodist': '(self, name, place1, place2, unit=None)',
        'geohash': '(self, name, *values)',
        'geopos': '(self, name, *values)',
        'georadius': (
            '(self, name, longitude, latitude, radius, unit=None, '
            'withdist=False, withcoord=False, withhash=False, '
            'count=None, sort=None, store=None, store_dist=None)'),
        'georadiusbymember': (
            '(self, name, member, radius, unit=None, withdist=False, '
            'withcoord=False, withhash=False, count=None, sort=None, '
            'store=None, store_dist=None)'),
        'get': '(self, name)',
        'getbit': '(self, name, offset)',
        'getrange': '(self, key, start, end)',
        'getset': '(self, name, value)',
        'hdel': '(self, name, *keys)',
        'hexists': '(self, name, key)',
        'hget': '(self, name, key)',
        'hgetall': '(self, name)',
        'hincrby': '(self, name, key, amount=1)',
        'hincrbyfloat': '(self, name, key, amount=1.0)',
        'hkeys': '(self, name)',
        'hlen': '(self, name)',
        'hmget': '(self, name, keys, *args)',
        'hmset': '(self, name, mapping)',
        'hscan': '(self, name, cursor=0, match=None, count=None)',
        'hscan_iter': '(self, name, match=None, count=None)',
        'hset': '(self, name, key, value)',
        'hsetnx': '(self, name, key, value)',
        'hstrlen': '(self, name, key)',
        'hvals': '(self, name)',
        'incr': '(self, name, amount=1)',
        'incrby': '(self, name, amount=1)',
        'incrbyfloat': '(self, name, amount=1.0)',
        'info': '(self, section=None)',
        'keys': "(self, pattern='*')",
        'lastsave': '(self)',
        'lindex': '(self, name, index)',
        'linsert': '(self, name, where, refvalue, value)',
        'llen': '(self, name)',
        'lock': (
            '(self, name, timeout=None, sleep=0.1, '
            'blocking_timeout=None, lock_class=None, thread_local=True)'),
        'lpop': '(self, name)',
        'lpush': '(self, name, *values)',
        'lpushx': '(self, name, value)',
        'lrange': '(self, name, start, end)',
        'lrem': '(self, name, count, value)',
        'lset': '(self, name, index, value)',
        'ltrim': '(self, name, start, end)',
        'mget': '(self, keys, *args)',
        'move': '(self, name, db)',
        'mset': '(self, *args, **kwargs)',
        'msetnx': '(self, *args, **kwargs)',
        'object': '(self, infotype, key)',
        'parse_response': '(self, connection, command_name, **options)',
        'persist': '(self, name)',
        'pexpire': '(self, name, time)',
        'pexpireat': '(self, name, when)',
        'pfadd': '(self, name, *values)',
        'pfcount': '(self, *sources)',
        'pfmerge': '(self, dest, *sources)',
        'ping': '(self)',
        'pipeline': '(self, transaction=True, shard_hint=None)',
        'psetex': '(self, name, time_ms, value)',
        'pttl': '(self, name)',
        'publish': '(self, channel, message)',
        'pubsub': '(self, **kwargs)',
        'pubsub_channels': "(self, pattern='*')",
        'pubsub_numpat': '(self)',
        'pubsub_numsub': '(self, *args)',
        'randomkey': '(self)',
        'register_script': '(self, script)',
        'rename': '(self, src, dst)',
        'renamenx': '(self, src, dst)',
        'restore': '(self, name, ttl, value, replace=False)',
        'rpop': '(self, name)',
        'rpoplpush': '(self, src, dst)',
        'rpush': '(self, name, *values)',
        'rpushx': '(self, name, value)',
        'sadd': '(self, name, *values)',
        'save': '(self)',
        'scan': '(self, cursor=0, match=None, count=None)',
        'scan_iter': '(self, match=None, count=None)',
        'scard': '(self, name)',
        'script_exists': '(self, *args)',
        'script_flush': '(self)',
        'script_kill': '(self)',
        'script_load': '(self, script)',
        'sdiff': '(self, keys, *args)',
        'sdiffstore': '(self, dest, keys, *args)',
        'sentinel': '(self, *args)',
        'sentinel_get_master_addr_by_name': '(self, service_name)',
        'sentinel_master': '(self, service_name)',
        'sentinel_masters': '(self)',
        'sentinel_monitor': '(self, name, ip, port, quorum)',
        'sentinel_remove': '(self, name)',
        'sentinel_sentinels': '(self, service_name)',
        'sentinel_set': '(self, name, option, value)',
        'sentinel_slaves': '(self, service_name)',
        'set': '(self, name, value, ex=None, px=None, nx=False, xx=False)',
        'set_response_callback': '(self, command, callback)',
        'setbit': '(self, name, offset, value)',
        'setex': '(self, name, time, value)',
        'setnx': '(self, name, value)',
        'setrange': '(self, name, offset, value)',
        'shutdown': '(self)',
        'sinter': '(self, keys, *args)',
        'sinterstore': '(self, dest, keys, *args)',
        'sismember': '(self, name, value)',
        'slaveof': '(self, host=None, port=None)',
        'slowlog_get': '(self, num=None)',
        'slowlog_len': '(self)',
        'slowlog_reset': '(self)',
        'smembers': '(self, name)',
        'smove': '(self, src, dst, value)',
        'sort': (
            '(self, name, start=None, num=None, by=None, get=None, '
            'desc=False, alpha=False, store=None, groups=False)'),
        'spop': '(self, name)',
        'srandmember': '(self, name, number=None)',
        'srem': '(self, name, *values)',
        'sscan': '(self, name, cursor=0, match=None, count=None)',
        'sscan_iter': '(self, name, match=None, count=None)',
        'strlen': '(self, name)',
        'substr': '(self, name, start, end=-1)',
        'sunion': '(self, keys, *args)',
        'sunionstore': '(self, dest, keys, *args)',
        'time': '(self)',
        'touch': '(self, *args)',
        'transaction': '(self, func, *watches, **kwargs)',
        'ttl': '(self, name)',
        'type': '(self, name)',
        'unwatch': '(self)',
        'wait': '(self, num_replicas, timeout)',
        'watch': '(self, *names)',
        'zadd': '(self, name, *args, **kwargs)',
        'zcard': '(self, name)',
        'zcount': '(self, name, min, max)',
        'zincrby': '(self, name, value, amount=1)',
        'zinterstore': '(self, dest, keys, aggregate=None)',
        'zlexcount': '(self, name, min, max)',
        'zrange': (
            '(self, name, start, end, desc=False, withscores=False, '
            'score_cast_func=float)'),
        'zrangebylex': '(self, name, min, max, start=None, num=None)',
        'zrangebyscore': (
            '(self, name, min, max, start=None, num=None, '
            'withscores=False, score_cast_func=float)'),
        'zrank': '(self, name, value)',
        'zrem': '(self, name, *values)',
        'zremrangebylex': '(self, name, min, max)',
        'zremrangebyrank': '(self, name, min, max)',
        'zremrangebyscore': '(self, name, min, max)',
        'zrevrange': (
            '(self, name, start, end, withscores=False, '
            'score_cast_func=float)'),
        'zrevrangebylex': '(self, name, max, min, start=None, num=None)',
        'zrevrangebyscore': (
            '(self, name, max, min, start=None, num=None, '
            'withscores=False, score_cast_func=float)'),
        'zrevrank': '(self, name, value)',
        'zscan': (
            '(self, name, cursor=0, match=None, count=None, '
            'score_cast_func=float)'),
        'zscan_iter': (
            '(self, name, match=None, count=None, '
            'score_cast_func=float)'),
        'zscore': '(self, name, value)',
        'zunionstore': '(self, dest, keys, aggregate=None)',
    },
    'redis.client.Redis': {
        'lrem': '(self, name, value, num=0)',
        'pipeline': '(self, transaction=True, shard_hint=None)',
        'setex': '(self, name, value, time)',
        'zadd': '(self, name, *args, **kwargs)',
    },
    'redis.client.BasePipeline': {
        '__enter__': '(self)',
        '__exit__': '(self, exc_type, exc_value, traceback)',
        '__init__': (
            '(self, connection_pool, response_callbacks, transaction, '
            'shard_hint)'),
        '__len__': '(self)',
        'annotate_exception': '(self, exception, number, command)',
        'execute': '(self, raise_on_error=True)',
        'execute_command': '(self, *args, **kwargs)',
        'immediate_execute_command': '(self, *args, **options)',
        'load_scripts': '(self)',
        'multi': '(self)',
        'parse_response': '(self, connection, command_name, **options)',
        'pipeline_execute_command': '(self, *args, **options)',
        'raise_first_error': '(self, commands, response)',
        'reset': '(self)',
        'unwatch': '(self)',
        'watch': '(self, *names)',
    },
    'redis.client.PubSub': {
        '__init__': (
            '(self, connection_pool, shard_hint=None, '
            'ignore_subscribe_messages=False)'),
        'close': '(self)',
        'execute_command': '(self, *args, **kwargs)',
        'get_message': '(self, ignore_subscribe_messages=False, timeout=0)',
        'handle_message': '(self, response, ignore_subscribe_messages=False)',
        'listen': '(self)',
        'on_connect': '(self, connection)',
        'parse_response': '(self, block=True, timeout=0)',
        'psubscribe': '(self, *args, **kwargs)',
        'punsubscribe': '(self, *args)',
        'reset': '(self)',
        'run_in_thread': '(self, sleep_time=0, daemon=False)',
        'subscribe': '(self, *args, **kwargs)',
        'unsubscribe': '(self, *args)',
    },
    'redis.client.PubSubWorkerThread': {
        '__init__': '(self, pubsub, sleep_time, daemon=False)',
        'run': '(self)',
        'stop': '(self)',
    },
    'redis.client.Script': {
        '__call__': '(self, keys=[], args=[], client=None)',
        '__init__': '(self, registered_client, script)',
    },
    'redis.connection.Connection': {
        '__init__': (
            "(self, host='localhost', port=6379, db=0, password=None, "
            'socket_timeout=None, socket_connect_timeout=None, '
            'socket_keepalive=False, socket_keepalive_options=None, '
            "retry_on_timeout=False, encoding='utf-8', "
            "encoding_errors='strict', decode_responses=False, "
            'parser_class=DefaultParser, socket_read_size=65536)'),
        'can_read': '(self, timeout=0)',
        'clear_connect_callbacks': '(self)',
        'connect': '(self)',
        'disconnect': '(self)',
        'on_connect': '(self)',
        'pack_command': '(self, *args)',
        'pack_commands': '(self, commands)',
        'read_response': '(self)',
        'register_connect_callback': '(self, callback)',
        'send_command': '(self, *args)',
        'send_packed_command': '(self, command)',
    },
    'redis.connection.UnixDomainSocketConnection': {
        '__init__': (
            "(self, path='', db=0, password=None, socket_timeout=None, "
            "encoding='utf-8', encoding_errors='strict', "
            'decode_responses=False, retry_on_timeout=False, '
            'parser_class=DefaultParser, socket_read_size=65536)'),
    },
    'redis.connection.SSLConnection': {
        '__init__': (
            '(self, ssl_keyfile=None, ssl_certfile=None, '
            'ssl_cert_reqs=None, ssl_ca_certs=None, **kwargs)'),
    },
    'redis.connection.ConnectionPool': {
        '__init__': (
            '(self, connection_class=Connection, max_connections=None, '
            '**connection_kwargs)'),
        'disconnect': '(self)',
        'from_url': '(cls, url, db=None, decode_components=False, **kwargs)',
        'get_connection': '(self, command_name, *keys, **options)',
        'get_encoder': '(self)',
        'make_connection': '(self)',
        'release': '(self, connection)',
        'reset': '(self)',
    },
    'redis.connection.BlockingConnectionPool': {
        '__init__': (
            '(self, max_connections=50, timeout=20, '
            'connection_class=Connection, queue_class=LifoQueue, '
            '**connection_kwargs)'),
        'disconnect': '(self)',
        'get_connection': '(self, command_name, *keys, **options)',
        'make_connection': '(self)',
        'release': '(self, connection)',
        'reset': '(self)',
    },
    'redis.connection.PythonParser': {
        '__init__': '(self, socket_read_size)',
        'can_read': '(self)',
        'on_connect': '(self, connection)',
        'on_disconnect': '(self)',
        'parse_error': '(self, response)',
        'read_response': '(self)',
    },
    'redis.connection.HiredisParser': {
        '__init__': '(self, socket_read_size)',
        'can_read': '(self)',
        'on_connect': '(self, connection)',
        'on_disconnect': '(self)',
        'parse_error': '(self, response)',
        'read_response': '(self)',
    },
    'redis.connection.Token': {
        '__init__': '(self, value)',
        'get_token': '(cls, value)',
    },
    'redis.connection.Encoder': {
        '__init__': '(self, encoding, encoding_errors, decode_responses)',
        'decode': '(self, value, force=False)',
        'encode': '(self, value)',
    },
    'redis.lock.Lock': {
        '__enter__': '(self)',
        '__exit__': '(self, exc_type, exc_value, traceback)',
        '__init__': (
            '(self, redis, name, timeout=None, sleep=0.1, '
            'blocking=True, blocking_timeout=None, thread_local=True)'),
        'acquire': '(self, blocking=None, blocking_timeout=None)',
        'do_acquire': '(self, token)',
        'do_extend': '(self, additional_time)',
        'do_release': '(self, expected_token)',
        'extend': '(self, additional_time)',
        'release': '(self)',
    },
    'redis.lock.LuaLock': {
        '__init__': '(self, *args, **kwargs)',
        'do_acquire': '(self, token)',
        'do_extend': '(self, additional_time)',
        'do_release': '(self, expected_token)',
        'register_scripts': '(cls, redis)',
    },
    'redis.sentinel.Sentinel': {
        '__init__': (
            '(self, sentinels, min_other_sentinels=0, '
            'sentinel_kwargs=None, **connection_kwargs)'),
        'check_master_state': '(self, state, service_name)',
        'discover_master': '(self, service_name)',
        'discover_slaves': '(self, service_name)',
        'filter_slaves': '(self, slaves)',
        'master_for': (
            '(self, service_name, redis_class=StrictRedis, '
            'connection_pool_class=SentinelConnectionPool, **kwargs)'),
        'slave_for': (
            '(self, service_name, redis_class=StrictRedis, '
            'connection_pool_class=SentinelConnectionPool, **kwargs)'),
    },
    'redis.sentinel.SentinelConnectionPool': {
        '__init__': '(self, service_name, sentinel_manager, **kwargs)',
        'get_master_address': '(self)',
        'reset': '(self)',
        'rotate_slaves': '(self)',
    },
    'redis.sentinel.SentinelManagedConnection': {
        '__init__': '(self, **kwargs)',
        'connect': '(self)',
        'connect_to': '(self, address)',
        'read_response': '(self)',
    },
}

FUNCTIONS = {
    'redis.client._parse_node_line': '(line)',
    'redis.client.bool_ok': '(response)',
    'redis.client.dict_merge': '(*dicts)',
    'redis.client.float_or_none': '(response)',
    'redis.client.int_or_none': '(response)',
    'redis.client.list_or_args': '(keys, args)',
    'redis.client.pairs_to_dict': '(response)',
    'redis.client.pairs_to_dict_typed': '(response, type_info)',
    'redis.client.parse_client_list': '(response, **options)',
    'redis.client.parse_cluster_info': '(response, **options)',
    'redis.client.parse_cluster_nodes': '(response, **options)',
    'redis.client.parse_config_get': '(response, **options)',
    'redis.client.parse_debug_object': '(response)',
    'redis.client.parse_georadius_generic': '(response, **options)',
    'redis.client.parse_hscan': '(response, **options)',
    'redis.client.parse_info': '(response)',
    'redis.client.parse_object': '(response, infotype)',
    'redis.client.parse_pubsub_numsub': '(response, **options)',
    'redis.client.parse_scan': '(response, **options)',
    'redis.client.parse_sentinel_get_master': '(response)',
    'redis.client.parse_sentinel_master': '(response)',
    'redis.client.parse_sentinel_masters': '(response)',
    'redis.client.parse_sentinel_slaves_and_sentinels': '(response)',
    'redis.client.parse_sentinel_state': '(item)',
    'redis.client.parse_slowlog_get': '(response, **options)',
    'redis.client.parse_zscan': '(response, **options)',
    'redis.client.sort_return_tuples': '(response, **options)',
    'redis.client.string_keys_to_dict': '(key_string, callback)',
    'redis.client.timestamp_to_datetime': '(response)',
    'redis.client.zset_score_pairs': '(response, **options)',
    'redis.connection.to_bool': '(value)',
    'redis.utils.from_url': '(url, db=None, **kwargs)',
    'redis.utils.pipeline': '(redis_obj)',
}
