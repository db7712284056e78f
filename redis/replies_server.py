"""Parsers of the replies of server, sentinel and cluster commands: INFO,
CLIENT LIST, DEBUG OBJECT, SLOWLOG GET, SENTINEL *, CLUSTER INFO/NODES.

Each gets the reply as bytes, or as str when the client decodes responses,
and returns what redis-py 2.10.6 returned. ``redis.replies`` re-exports
them all and ties them to command names.
"""
from redis.utils import nativestr


# ---- server ----------------------------------------------------------------

_DEBUG_OBJECT_INT_FIELDS = ('refcount', 'serializedlength', 'lru',
                            'lru_seconds_idle')


def parse_debug_object(response):
    "Parse the results of Redis's DEBUG OBJECT command into a Python dict"
    # The reply starts with an unnamed word ('Value'), named 'type' here as
    # 2.10.6 did; every other word is name:value.
    words = ('type:' + nativestr(response)).split()
    result = dict(word.split(':', 1) for word in words if ':' in word)
    for field in _DEBUG_OBJECT_INT_FIELDS:
        if field in result:
            try:
                result[field] = int(result[field])
            except ValueError:
                pass
    return result


def _info_value(value):
    """An INFO value: a dict for 'k=v,k=v' lists, else an int or a float
    when it reads as one, else the string itself ('yes', 'ok', '1.09M')"""
    if ',' in value and '=' in value:
        sub_dict = {}
        for item in value.split(','):
            key, sep, item_value = item.rpartition('=')
            if not sep:
                # a comma in a plain value, not a k=v list
                return value
            sub_dict[key] = _info_value(item_value)
        return sub_dict
    try:
        if '.' in value:
            return float(value)
        return int(value)
    except ValueError:
        return value


def parse_info(response):
    """Parse the result of Redis's INFO command into a Python dict.

    Section headers ('# Server') are dropped; lines without a colon are
    collected in a list under '__raw__'.
    """
    info = {}
    for line in nativestr(response).splitlines():
        if not line or line[0] == '#':
            continue
        if ':' not in line:
            info.setdefault('__raw__', []).append(line)
            continue
        key, value = line.split(':', 1)
        info[key] = _info_value(value)
    return info


def parse_client_list(response, **options):
    "CLIENT LIST as a list of dicts, one per client, of str to str"
    clients = []
    for line in nativestr(response).splitlines():
        client = {}
        for pair in line.split(' '):
            if pair:
                # split at the first '=': values may contain '='
                name, _, value = pair.partition('=')
                client[name] = value
        clients.append(client)
    return clients


def _join_command(args):
    if args and isinstance(args[0], str):
        return ' '.join(args)
    return b' '.join(args)


def parse_slowlog_get(response, **options):
    """SLOWLOG GET as a list of dicts with the keys id, start_time, duration
    and command (the arguments joined by spaces). The client address and
    name that Redis 4+ adds to each entry are not part of 2.10.6's dict."""
    return [{
        'id': item[0],
        'start_time': int(item[1]),
        'duration': int(item[2]),
        'command': _join_command(item[3]),
    } for item in response]


# ---- sentinel ---------------------------------------------------------------

def pairs_to_dict_typed(response, type_info):
    """Like pairs_to_dict, converting the value of each key found in
    ``type_info`` with the callable it maps to (kept as is if that fails)"""
    it = iter(response)
    result = {}
    for key, value in zip(it, it):
        if key in type_info:
            try:
                value = type_info[key](value)
            except Exception:
                # an unexpected value is more useful raw than as an error
                pass
        result[key] = value
    return result


SENTINEL_STATE_TYPES = {
    'can-failover-its-master': int,
    'config-epoch': int,
    'down-after-milliseconds': int,
    'failover-timeout': int,
    'info-refresh': int,
    'last-hello-message': int,
    'last-ok-ping-reply': int,
    'last-ping-reply': int,
    'last-ping-sent': int,
    'master-link-down-time': int,
    'master-port': int,
    'num-other-sentinels': int,
    'num-slaves': int,
    'o-down-time': int,
    'pending-commands': int,
    'parallel-syncs': int,
    'port': int,
    'quorum': int,
    'role-reported-time': int,
    's-down-time': int,
    'slave-priority': int,
    'slave-repl-offset': int,
    'voted-leader-epoch': int,
}

# result key -> the word in the 'flags' field that makes it True
_SENTINEL_FLAGS = (
    ('is_master', 'master'),
    ('is_slave', 'slave'),
    ('is_sdown', 's_down'),
    ('is_odown', 'o_down'),
    ('is_sentinel', 'sentinel'),
    ('is_disconnected', 'disconnected'),
    ('is_master_down', 'master_down'),
)


def parse_sentinel_state(item):
    """One sentinel state (a flat name/value list of str) as a dict with
    typed numbers and the is_* booleans derived from its flags"""
    result = pairs_to_dict_typed(item, SENTINEL_STATE_TYPES)
    flags = set(result['flags'].split(','))
    for name, flag in _SENTINEL_FLAGS:
        result[name] = flag in flags
    return result


def parse_sentinel_master(response):
    "SENTINEL MASTER: the master's state dict"
    return parse_sentinel_state(map(nativestr, response))


def parse_sentinel_masters(response):
    "SENTINEL MASTERS: a dict of master name -> state dict"
    result = {}
    for item in response:
        state = parse_sentinel_state(map(nativestr, item))
        result[state['name']] = state
    return result


def parse_sentinel_slaves_and_sentinels(response):
    "SENTINEL SLAVES / SENTINELS: a list of state dicts"
    return [parse_sentinel_state(map(nativestr, item)) for item in response]


def parse_sentinel_get_master(response):
    "(host, port as an int), or None when the master is unknown"
    return response and (response[0], int(response[1])) or None


# ---- cluster ----------------------------------------------------------------

def parse_cluster_info(response, **options):
    "CLUSTER INFO as a dict of str"
    return dict(line.split(':', 1)
                for line in nativestr(response).splitlines() if ':' in line)


def parse_node_line(line):
    "One CLUSTER NODES line as (address, node dict)"
    line_items = line.split(' ')
    node_id, addr, flags, master_id, ping, pong, epoch, \
        connected = line_items[:8]
    node_dict = {
        'node_id': node_id,
        'flags': flags,
        'master_id': master_id,
        'last_ping_sent': ping,
        'last_pong_rcvd': pong,
        'epoch': epoch,
        'slots': [slot.split('-') for slot in line_items[8:]],
        'connected': connected == 'connected',
    }
    return addr, node_dict


def parse_cluster_nodes(response, **options):
    """CLUSTER NODES (one string of lines) or CLUSTER SLAVES (a string, or
    a list of lines in newer servers) as a dict of address -> node dict"""
    if isinstance(response, list):
        lines = []
        for item in response:
            lines.extend(nativestr(item).splitlines())
    else:
        lines = nativestr(response).splitlines()
    return dict(parse_node_line(line) for line in lines if line)
