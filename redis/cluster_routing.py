"""Where a command goes in a Redis Cluster: the key slot of its keys, or a
group of nodes for keyless commands, and how the replies of a command sent
to several nodes become one.

Tables are built once at import, so routing a command costs one dict
lookup. Key positions follow the servers' COMMAND INFO (first key, last
key, step), counted over the words of the command with its subcommand, so
``OBJECT ENCODING key`` has its key at 2 whether it is sent as
``('OBJECT', 'ENCODING', key)`` or ``('OBJECT ENCODING', key)``.
A command not in the tables is looked up on the server once
(``Route.from_command_info``).
"""
from __future__ import annotations

from binascii import crc_hqx
from typing import Any, Callable, Optional, Sequence

from redis.exceptions import ClusterCrossSlotError, RedisClusterException

SLOT_COUNT = 16384
_SLOT_MASK = SLOT_COUNT - 1

# target_nodes flags (today's redis-py values)
PRIMARIES = 'primaries'
REPLICAS = 'replicas'
ALL_NODES = 'all'
RANDOM = 'random'
DEFAULT_NODE = 'default-node'
# the slot number is the command's first argument (CLUSTER COUNTKEYSINSLOT)
SLOT_ID = 'slot-id'
NODE_FLAGS = frozenset((PRIMARIES, REPLICAS, ALL_NODES, RANDOM, DEFAULT_NODE))


def key_slot(key):
    """The slot of ``key`` (bytes): CRC16/XMODEM of the key, or of its hash
    tag (the text between the first '{' and the next '}', when not empty),
    modulo 16384."""
    start = key.find(b'{')
    if start >= 0:
        end = key.find(b'}', start + 1)
        if end > start + 1:
            key = key[start + 1:end]
    return crc_hqx(key, 0) & _SLOT_MASK


class Route(object):
    """How one command is routed.

    ``flag``: a node group (DEFAULT_NODE, PRIMARIES...) for a keyless
    command, SLOT_ID, or None for a command routed by its keys.
    ``single``: the index of its only key (most commands: 1), else None;
    then ``keys(args)`` gives the keys. ``readonly``: it only reads data
    (may go to a replica, may be sent again after a lost connection).
    ``merge``: how replies from several nodes become one (None: a dict
    node name -> reply).
    """
    __slots__ = ('name', 'flag', 'single', 'first', 'last', 'step',
                 'finder', 'readonly', 'merge')

    def __init__(
            self, name: str, flag: Optional[str] = None, first: int = 0,
            last: int = 0, step: int = 1,
            finder: Optional[Callable[[Sequence[Any]], Sequence[Any]]] = None,
            readonly: bool = False, merge: Optional[Callable[..., Any]] = None,
    ) -> None:
        self.name = name
        self.flag = flag
        self.first = first
        self.last = last
        self.step = step
        self.finder = finder
        self.readonly = readonly
        self.merge = merge
        self.single = first if (flag is None and finder is None and
                                first and first == last) else None

    def __repr__(self) -> str:
        if self.flag is not None:
            return 'Route<%s: %s>' % (self.name, self.flag)
        return 'Route<%s: keys %s..%s/%s%s>' % (
            self.name, self.first, self.last, self.step,
            ' (special)' if self.finder else '')

    def shifted(self, words: int) -> Route:
        """This route for args whose first element holds ``words`` words
        (a subcommand sent inside the command name)."""
        if words == 1 or self.flag is not None:
            return self
        route = Route(self.name, None, max(self.first - words + 1, 0),
                      self.last if self.last < 0 else
                      self.last - words + 1, self.step, self.finder,
                      self.readonly, self.merge)
        if self.finder is not None:
            finder, shift = self.finder, words - 1
            route.finder = lambda args: finder(('',) * shift + tuple(args))
        return route

    def keys(self, args: Sequence[Any]) -> Sequence[Any]:
        "The keys among ``args`` (a whole command, name first)"
        if self.finder is not None:
            return self.finder(args)
        if not self.first:
            return ()
        last = self.last
        stop = len(args) + last + 1 if last < 0 else last + 1
        return args[self.first:stop:self.step]

    @classmethod
    def from_command_info(cls, name: str,
                          info: Optional[Sequence[Any]]) -> Route:
        """A route from the server's COMMAND INFO entry for ``name``
        ([name, arity, flags, first, last, step, ...]; None: unknown)."""
        if not info:
            return cls(name, DEFAULT_NODE)
        flags = set(_text(flag).lower() for flag in (info[2] or ()))
        first, last, step = int(info[3]), int(info[4]), int(info[5])
        readonly = 'readonly' in flags
        if 'movablekeys' in flags:
            return cls(name, None, first, last, step, finder=MOVABLE,
                       readonly=readonly)
        if not first:
            return cls(name, DEFAULT_NODE, readonly=readonly)
        return cls(name, None, first, last, step or 1, readonly=readonly)


# a finder that asks the server (COMMAND GETKEYS): the cluster client does
MOVABLE = object()


def _text(value):
    return value.decode('utf-8', 'replace') if isinstance(value, bytes) \
        else str(value)


def _upper(value):
    return _text(value).upper()


# -- keys of commands whose keys move with their arguments ----------------

def _numkeys_at(index):
    "numkeys at ``index``, the keys right after it"
    def finder(args):
        try:
            count = int(args[index])
        except (IndexError, TypeError, ValueError):
            raise RedisClusterException('Invalid args in command: %r'
                                        % (args,))
        return args[index + 1:index + 1 + count]
    return finder


def _destination_and_numkeys(args):
    # ZUNIONSTORE dest numkeys key ... (the destination is a key too)
    return (args[1],) + tuple(_numkeys_at(2)(args))


def _after_streams(args):
    # XREAD/XREADGROUP ... STREAMS key [key ...] id [id ...]
    for index in range(1, len(args)):
        if _upper(args[index]) == 'STREAMS':
            rest = args[index + 1:]
            return rest[:len(rest) // 2]
    return ()


def _with_store(first, words):
    "the key at ``first``, and the one after any of ``words`` (STORE...)"
    def finder(args):
        keys = [args[first]]
        for index in range(first + 1, len(args) - 1):
            if _upper(args[index]) in words:
                keys.append(args[index + 1])
        return keys
    return finder


def _migrate(args):
    # MIGRATE host port key|"" db timeout [...] [KEYS key ...]
    if len(args) > 3 and args[3] not in ('', b''):
        return (args[3],)
    for index in range(6, len(args)):
        if _upper(args[index]) == 'KEYS':
            return args[index + 1:]
    return ()


# -- merging replies from several nodes (dict node name -> reply) ---------

def merge_all(replies):
    return all(replies.values())


def merge_sum(replies):
    return sum(replies.values())


def merge_any_one(replies):
    # SCRIPT LOAD: every primary answers the same digest
    for reply in replies.values():
        return reply


def merge_list(replies):
    "Concatenated, in node order, without repeats (replicas repeat keys)"
    seen = set()
    merged = []
    for reply in replies.values():
        for item in reply:
            if item not in seen:
                seen.add(item)
                merged.append(item)
    return merged


def merge_scan(replies):
    "SCAN: ({node name: next cursor}, keys of all nodes)"
    cursors = {}
    keys = []
    for name, (cursor, batch) in replies.items():
        cursors[name] = cursor
        keys.extend(batch)
    return cursors, keys


def merge_script_exists(replies):
    return [all(flags) for flags in zip(*replies.values())]


def merge_numsub(replies):
    "PUBSUB NUMSUB: subscriber counts added up per channel"
    totals = {}
    for reply in replies.values():
        for channel, count in reply:
            totals[channel] = totals.get(channel, 0) + count
    return list(totals.items())


def merge_unblocked(replies):
    return 1 if sum(replies.values()) else 0


MERGES = {
    'KEYS': merge_list, 'PUBSUB CHANNELS': merge_list,
    'PUBSUB SHARDCHANNELS': merge_list,
    'PUBSUB NUMSUB': merge_numsub, 'PUBSUB SHARDNUMSUB': merge_numsub,
    'PUBSUB NUMPAT': merge_sum,
    'DBSIZE': merge_sum, 'WAIT': merge_sum,
    'CLIENT UNBLOCK': merge_unblocked,
    'SCAN': merge_scan,
    'SCRIPT LOAD': merge_any_one,
    'SCRIPT EXISTS': merge_script_exists,
    'SCRIPT FLUSH': merge_all,
}
for _name in ('PING', 'CONFIG SET', 'CONFIG REWRITE', 'CONFIG RESETSTAT',
              'CLIENT SETNAME', 'BGSAVE', 'SLOWLOG RESET', 'SAVE',
              'MEMORY PURGE', 'CLIENT PAUSE', 'CLIENT UNPAUSE'):
    MERGES[_name] = merge_all


# -- the tables -----------------------------------------------------------

# (first, last, step) of commands whose keys sit at fixed places; the ones
# in _READS only read
_ONE_KEY = (
    'APPEND BITCOUNT BITFIELD BITFIELD_RO BITPOS DECR DECRBY DUMP EXPIRE '
    'EXPIREAT EXPIRETIME GEOADD GEODIST GEOHASH GEOPOS GEOSEARCH '
    'GEORADIUS_RO GEORADIUSBYMEMBER_RO GET GETBIT GETDEL GETEX GETRANGE '
    'GETSET HDEL HEXISTS HGET HGETALL HINCRBY HINCRBYFLOAT HKEYS HLEN HMGET '
    'HMSET HRANDFIELD HSCAN HSET HSETNX HSTRLEN HVALS INCR INCRBY '
    'INCRBYFLOAT LINDEX LINSERT LLEN LPOP LPOS LPUSH LPUSHX LRANGE LREM LSET '
    'LTRIM MOVE PERSIST PEXPIRE PEXPIREAT PEXPIRETIME PFADD PSETEX PTTL '
    'RESTORE RESTORE-ASKING RPOP RPUSH RPUSHX SADD SCARD SET SETBIT SETEX '
    'SETNX SETRANGE SISMEMBER SMEMBERS SMISMEMBER SORT_RO SPOP SRANDMEMBER '
    'SREM SSCAN STRLEN SUBSTR TTL TYPE XACK XADD XAUTOCLAIM XCLAIM XDEL '
    'XLEN XPENDING XRANGE XREVRANGE XSETID XTRIM ZADD ZCARD ZCOUNT ZINCRBY '
    'ZLEXCOUNT ZMSCORE ZPOPMAX ZPOPMIN ZRANDMEMBER ZRANGE ZRANGEBYLEX '
    'ZRANGEBYSCORE ZRANK ZREM ZREMRANGEBYLEX ZREMRANGEBYRANK '
    'ZREMRANGEBYSCORE ZREVRANGE ZREVRANGEBYLEX ZREVRANGEBYSCORE ZREVRANK '
    'ZSCAN ZSCORE PUBLISH SPUBLISH'
).split()
_TWO_KEYS = ('RPOPLPUSH BRPOPLPUSH LMOVE BLMOVE SMOVE RENAME RENAMENX COPY '
             'GEOSEARCHSTORE ZRANGESTORE LCS').split()
_ALL_KEYS = ('DEL EXISTS MGET SDIFF SDIFFSTORE SINTER SINTERSTORE SUNION '
             'SUNIONSTORE TOUCH UNLINK WATCH PFCOUNT PFMERGE').split()
_BLOCKING_POPS = 'BLPOP BRPOP BZPOPMIN BZPOPMAX'.split()
_SUBCOMMAND_KEY = ('OBJECT ENCODING', 'OBJECT FREQ', 'OBJECT IDLETIME',
                   'OBJECT REFCOUNT', 'MEMORY USAGE', 'XINFO STREAM',
                   'XINFO GROUPS', 'XINFO CONSUMERS', 'XGROUP CREATE',
                   'XGROUP SETID', 'XGROUP DESTROY', 'XGROUP CREATECONSUMER',
                   'XGROUP DELCONSUMER', 'DEBUG OBJECT')

_READS = frozenset((
    'BITCOUNT BITFIELD_RO BITPOS DUMP EXISTS EXPIRETIME GEODIST GEOHASH '
    'GEOPOS GEOSEARCH GEORADIUS_RO GEORADIUSBYMEMBER_RO GET GETBIT GETRANGE '
    'HEXISTS HGET HGETALL HKEYS HLEN HMGET HRANDFIELD HSCAN HSTRLEN HVALS '
    'LCS LINDEX LLEN LPOS LRANGE MGET PEXPIRETIME PFCOUNT PTTL SCARD SDIFF '
    'SINTER SINTERCARD SISMEMBER SMEMBERS SMISMEMBER SORT_RO SRANDMEMBER '
    'SSCAN STRLEN SUBSTR SUNION TTL TYPE XLEN XPENDING XRANGE XREAD '
    'XREVRANGE ZCARD ZCOUNT ZDIFF ZINTER ZINTERCARD ZLEXCOUNT ZMSCORE '
    'ZRANDMEMBER ZRANGE ZRANGEBYLEX ZRANGEBYSCORE ZRANK ZREVRANGE '
    'ZREVRANGEBYLEX ZREVRANGEBYSCORE ZREVRANK ZSCAN ZSCORE ZUNION '
    'EVAL_RO EVALSHA_RO FCALL_RO'
).split()) | frozenset(('OBJECT ENCODING', 'OBJECT FREQ', 'OBJECT IDLETIME',
                        'OBJECT REFCOUNT', 'MEMORY USAGE', 'XINFO STREAM',
                        'XINFO GROUPS', 'XINFO CONSUMERS'))

_SPECIAL = {
    'EVAL': _numkeys_at(2), 'EVALSHA': _numkeys_at(2),
    'EVAL_RO': _numkeys_at(2), 'EVALSHA_RO': _numkeys_at(2),
    'FCALL': _numkeys_at(2), 'FCALL_RO': _numkeys_at(2),
    'ZUNIONSTORE': _destination_and_numkeys,
    'ZINTERSTORE': _destination_and_numkeys,
    'ZDIFFSTORE': _destination_and_numkeys,
    'ZUNION': _numkeys_at(1), 'ZINTER': _numkeys_at(1),
    'ZDIFF': _numkeys_at(1), 'ZINTERCARD': _numkeys_at(1),
    'SINTERCARD': _numkeys_at(1), 'LMPOP': _numkeys_at(1),
    'ZMPOP': _numkeys_at(1), 'BLMPOP': _numkeys_at(2),
    'BZMPOP': _numkeys_at(2),
    'XREAD': _after_streams, 'XREADGROUP': _after_streams,
    'MIGRATE': _migrate,
    'SORT': _with_store(1, ('STORE',)),
    'GEORADIUS': _with_store(1, ('STORE', 'STOREDIST')),
    'GEORADIUSBYMEMBER': _with_store(1, ('STORE', 'STOREDIST')),
}

_DEFAULT_NODE_COMMANDS = (
    'ACL CAT', 'ACL DELUSER', 'ACL DRYRUN', 'ACL GENPASS', 'ACL GETUSER',
    'ACL HELP', 'ACL LIST', 'ACL LOG', 'ACL LOAD', 'ACL SAVE', 'ACL SETUSER',
    'ACL USERS', 'ACL WHOAMI', 'AUTH', 'BGREWRITEAOF', 'BGSAVE',
    'CLIENT GETNAME', 'CLIENT GETREDIR', 'CLIENT ID', 'CLIENT INFO',
    'CLIENT KILL', 'CLIENT LIST', 'CLIENT NO-EVICT', 'CLIENT NO-TOUCH',
    'CLIENT PAUSE', 'CLIENT REPLY', 'CLIENT SETINFO', 'CLIENT SETNAME',
    'CLIENT TRACKINGINFO', 'CLIENT UNBLOCK', 'CLIENT UNPAUSE',
    'CLUSTER ADDSLOTS', 'CLUSTER ADDSLOTSRANGE', 'CLUSTER BUMPEPOCH',
    'CLUSTER COUNT-FAILURE-REPORTS', 'CLUSTER FAILOVER', 'CLUSTER FORGET',
    'CLUSTER INFO', 'CLUSTER KEYSLOT', 'CLUSTER LINKS', 'CLUSTER MEET',
    'CLUSTER MYID', 'CLUSTER MYSHARDID', 'CLUSTER NODES',
    'CLUSTER REPLICAS', 'CLUSTER REPLICATE', 'CLUSTER RESET',
    'CLUSTER SAVECONFIG', 'CLUSTER SET-CONFIG-EPOCH', 'CLUSTER SHARDS',
    'CLUSTER SLAVES', 'CLUSTER SLOTS', 'COMMAND', 'COMMAND COUNT',
    'COMMAND DOCS', 'COMMAND GETKEYS', 'COMMAND INFO', 'COMMAND LIST',
    'CONFIG GET', 'CONFIG RESETSTAT', 'CONFIG REWRITE', 'CONFIG SET',
    'DBSIZE', 'DEBUG', 'ECHO', 'FAILOVER', 'INFO', 'KEYS', 'LASTSAVE',
    'LATENCY DOCTOR', 'LATENCY GRAPH', 'LATENCY HISTOGRAM',
    'LATENCY HISTORY', 'LATENCY LATEST', 'LATENCY RESET', 'LOLWUT',
    'MEMORY DOCTOR', 'MEMORY MALLOC-STATS', 'MEMORY PURGE', 'MEMORY STATS',
    'MODULE LIST', 'MODULE LOAD', 'MODULE LOADEX', 'MODULE UNLOAD',
    'PING', 'PUBSUB CHANNELS', 'PUBSUB NUMPAT', 'PUBSUB NUMSUB',
    'PUBSUB SHARDCHANNELS', 'PUBSUB SHARDNUMSUB', 'RANDOMKEY', 'READONLY',
    'READWRITE', 'REPLICAOF', 'ROLE', 'SAVE', 'SCRIPT KILL', 'SHUTDOWN',
    'SLAVEOF', 'SLOWLOG GET', 'SLOWLOG LEN', 'SLOWLOG RESET', 'SWAPDB',
    'TIME', 'WAIT', 'WAITAOF', 'FUNCTION KILL', 'FUNCTION STATS', 'UNWATCH',
    'CLUSTER FLUSHSLOTS', 'CLUSTER HELP', 'ASKING', 'HELLO', 'RESET', 'QUIT',
    'SELECT', 'MONITOR', 'SYNC', 'PSYNC', 'CLIENT CACHING', 'CLIENT TRACKING',
)
_PRIMARIES_COMMANDS = (
    'FLUSHALL', 'FLUSHDB', 'FUNCTION DELETE', 'FUNCTION FLUSH',
    'FUNCTION LIST', 'FUNCTION LOAD', 'FUNCTION RESTORE', 'SCAN',
    'SCRIPT EXISTS', 'SCRIPT FLUSH', 'SCRIPT LOAD',
)
_SLOT_ID_COMMANDS = ('CLUSTER COUNTKEYSINSLOT', 'CLUSTER DELSLOTS',
                     'CLUSTER DELSLOTSRANGE', 'CLUSTER GETKEYSINSLOT',
                     'CLUSTER SETSLOT')
_READ_FLAGGED = frozenset(('KEYS', 'DBSIZE', 'RANDOMKEY', 'SCAN', 'INFO',
                           'PING', 'ECHO', 'TIME'))


def _flattened_routes():
    "name (words of command and subcommand) -> Route"
    routes = {}

    def add(name, **kwargs):
        kwargs.setdefault('readonly', name in _READS)
        kwargs.setdefault('merge', MERGES.get(name))
        routes[name] = Route(name, **kwargs)

    for name in _ONE_KEY:
        add(name, first=1, last=1)
    for name in _TWO_KEYS:
        add(name, first=1, last=2)
    for name in _ALL_KEYS:
        add(name, first=1, last=-1)
    for name in _BLOCKING_POPS:
        add(name, first=1, last=-2)
    for name in ('MSET', 'MSETNX'):
        add(name, first=1, last=-1, step=2)
    add('BITOP', first=2, last=-1)
    for name in _SUBCOMMAND_KEY:
        add(name, first=2, last=2)
    for name, finder in _SPECIAL.items():
        add(name, finder=finder)
    for name in _DEFAULT_NODE_COMMANDS:
        add(name, flag=DEFAULT_NODE, readonly=name in _READ_FLAGGED)
    for name in _PRIMARIES_COMMANDS:
        add(name, flag=PRIMARIES, readonly=name in _READ_FLAGGED)
    add('FUNCTION DUMP', flag=RANDOM)
    for name in _SLOT_ID_COMMANDS:
        add(name, flag=SLOT_ID)
    return routes


FLAT_ROUTES = _flattened_routes()
# A command with subcommands sent as one word ('OBJECT'): its subcommand
# (the next argument) picks the route.
SUBCOMMAND = Route('(subcommand)', flag='subcommand')


def _lookup_table():
    "args[0] as sent (upper case) -> Route, with positions over args"
    table = {}
    for name, route in FLAT_ROUTES.items():
        words = name.split(' ')
        table[name] = route.shifted(len(words))
        if len(words) > 1 and words[0] not in FLAT_ROUTES:
            table[words[0]] = SUBCOMMAND
    return table


ROUTES = _lookup_table()


def command_route(args):
    """The Route of ``args`` (a command, name first), or None when the
    tables do not know it (ask the server then)."""
    name = args[0]
    route = ROUTES.get(name)
    if route is None:
        if not isinstance(name, str):
            name = _text(name)
        name = name.upper()
        route = ROUTES.get(name)
        if route is None:
            return None
    if route is SUBCOMMAND:
        if len(args) < 2:
            return Route(name, DEFAULT_NODE)
        route = FLAT_ROUTES.get('%s %s' % (name, _upper(args[1])))
    return route


def single_slot(slot_of, keys, command):
    """The one slot of ``keys`` (slot_of(key) -> slot); ClusterCrossSlotError
    when they span several, RedisClusterException when there are none."""
    if not keys:
        raise RedisClusterException(
            'No way to dispatch %s to a cluster node: it has no key. Give '
            'target_nodes to run it.' % (command,))
    slot = slot_of(keys[0])
    for key in keys[1:]:
        if slot_of(key) != slot:
            raise ClusterCrossSlotError(
                "%s: keys in request don't hash to the same slot" %
                (command,))
    return slot


__all__ = ['SLOT_COUNT', 'PRIMARIES', 'REPLICAS', 'ALL_NODES', 'RANDOM',
           'DEFAULT_NODE', 'SLOT_ID', 'NODE_FLAGS', 'key_slot', 'Route',
           'MOVABLE', 'MERGES', 'FLAT_ROUTES', 'ROUTES', 'command_route',
           'single_slot']
