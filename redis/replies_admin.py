"""Reply conversions of the server, connection, ACL, scripting/function
and pubsub-introspection commands added after Redis 3.0, in the shapes
today's redis-py returns.

Each function gets the reply as the reader produced it (bytes, or str with
``decode_responses``). Names the server chose (ACL fields, CLIENT INFO
fields, COMMAND metadata, MEMORY STATS entries) become str, as today's
redis-py gives them; user data (keys, channels, module fields) stays as
read.
"""
from redis.replies_server import parse_client_list
from redis.utils import nativestr


def _str(value):
    # bytes -> str; anything else (int, list, None) as it is
    return value.decode('utf-8', 'replace') \
        if isinstance(value, bytes) else value


def _pairs(flat):
    it = iter(flat)
    return dict(zip(it, it))


def _named_pairs(flat):
    "A flat name/value list as a dict of str -> value (bytes made str)"
    it = iter(flat)
    return dict((nativestr(k), _str(v)) for k, v in zip(it, it))


def ok(response, **options):
    "True for the status OK"
    return response == b'OK' or response == 'OK'


def to_bool(response, **options):
    return bool(response)


def str_list(response, **options):
    "A list of names as str"
    return [_str(item) for item in response]


def to_str(response, **options):
    return _str(response)


def channel_counts(response, **options):
    "[(channel, subscriber count), ...] from a flat channel/count list"
    return list(zip(response[0::2], response[1::2]))


# ---- ACL -------------------------------------------------------------------

def _words(value):
    # ACL GETUSER gives keys/channels as one space-separated string since
    # Redis 7 (a list before)
    if isinstance(value, list):
        return [_str(item) for item in value]
    value = _str(value)
    return value.split(' ') if value else []


def parse_acl_getuser(response, **options):
    """ACL GETUSER as a dict: flags, passwords, commands and categories,
    keys, channels and selectors as lists of str, and ``enabled``; None for
    an unknown user"""
    if response is None:
        return None
    user = dict((nativestr(k), v)
                for k, v in zip(response[0::2], response[1::2]))
    user['flags'] = [_str(flag) for flag in user.get('flags', [])]
    user['passwords'] = [_str(p) for p in user.get('passwords', [])]
    user['keys'] = _words(user.get('keys', ''))
    if 'channels' in user:
        user['channels'] = _words(user['channels'])
    if 'selectors' in user:
        user['selectors'] = [[_str(part) for part in selector]
                             for selector in user['selectors']]
    rules = _words(user.get('commands', ''))
    user['commands'] = [rule for rule in rules if '@' not in rule]
    user['categories'] = [rule for rule in rules if '@' in rule]
    user['enabled'] = 'on' in user['flags']
    return user


_CLIENT_INT_FIELDS = frozenset((
    'id', 'age', 'idle', 'db', 'sub', 'psub', 'multi', 'qbuf', 'qbuf-free',
    'obl', 'argv-mem', 'oll', 'omem', 'tot-mem'))


def parse_client_info(response, **options):
    """One client line (CLIENT INFO, ACL LOG's client-info) as a dict of
    str, its counters as ints"""
    found = parse_client_list(response)
    client = found[0] if found else {}
    for field in _CLIENT_INT_FIELDS.intersection(client):
        try:
            client[field] = int(client[field])
        except ValueError:
            pass  # a field of an unexpected form is more useful as read
    return client


def parse_acl_log(response, **options):
    """ACL LOG: a list of dicts (str names and values, client-info parsed,
    age-seconds a float); ACL LOG RESET: True"""
    if not isinstance(response, list):
        return ok(response)
    entries = []
    for flat in response:
        entry = _named_pairs(flat)
        if 'client-info' in entry:
            entry['client-info'] = parse_client_info(entry['client-info'])
        if 'age-seconds' in entry:
            entry['age-seconds'] = float(entry['age-seconds'])
        entries.append(entry)
    return entries


# ---- COMMAND ---------------------------------------------------------------

def parse_command(response, **options):
    """COMMAND / COMMAND INFO as a dict of command name -> its metadata
    dict; a name the server does not know (a nil entry) is left out"""
    commands = {}
    for item in response:
        if item is None:
            continue
        name = nativestr(item[0])
        info = {
            'name': name,
            'arity': int(item[1]),
            'flags': [nativestr(flag) for flag in item[2]],
            'first_key_pos': item[3],
            'last_key_pos': item[4],
            'step_count': item[5],
        }
        if len(item) > 6:
            info['acl_categories'] = [nativestr(c) for c in item[6]]
        if len(item) > 9:
            info['tips'] = item[7]
            info['key_specifications'] = item[8]
            info['subcommands'] = item[9]
        commands[name] = info
    return commands


def _doc(flat):
    doc = {}
    for key, value in zip(flat[0::2], flat[1::2]):
        key = nativestr(key)
        if key == 'arguments':
            value = [_doc(argument) for argument in value]
        elif key == 'subcommands':
            value = parse_command_docs(value)
        elif key == 'history':
            value = [[_str(part) for part in entry] for entry in value]
        elif isinstance(value, list):
            value = [_str(part) for part in value]
        else:
            value = _str(value)
        doc[key] = value
    return doc


def parse_command_docs(response, **options):
    """COMMAND DOCS as a dict of command name -> its documentation: str
    fields, 'arguments' a list of dicts, 'subcommands' a dict like this"""
    return dict((nativestr(name), _doc(flat))
                for name, flat in zip(response[0::2], response[1::2]))


# ---- server ----------------------------------------------------------------

def parse_memory_stats(response, **options):
    """MEMORY STATS as a dict of str -> int or str; the per-database
    entries ('db.0') are dicts too"""
    stats = _named_pairs(response)
    for key, value in stats.items():
        if key.startswith('db.') and isinstance(value, list):
            stats[key] = _named_pairs(value)
    return stats


def module_list(response, **options):
    "MODULE LIST: one dict of the server's fields per module"
    return [_pairs(module) for module in response]


def parse_latency_histogram(response, **options):
    """LATENCY HISTOGRAM as {command: {'calls': n, 'histogram_usec':
    {upper bound in microseconds: count}}}"""
    result = {}
    for name, flat in zip(response[0::2], response[1::2]):
        fields = dict((nativestr(k), v) for k, v in zip(flat[0::2],
                                                         flat[1::2]))
        buckets = fields.get('histogram_usec') or []
        result[nativestr(name)] = {
            'calls': fields.get('calls'),
            'histogram_usec': dict(zip(buckets[0::2], buckets[1::2])),
        }
    return result


ADMIN_CALLBACKS = {
    'ACL CAT': str_list,
    'ACL GENPASS': to_str,
    'ACL GETUSER': parse_acl_getuser,
    'ACL HELP': str_list,
    'ACL LIST': str_list,
    'ACL LOAD': ok,
    'ACL LOG': parse_acl_log,
    'ACL SAVE': ok,
    'ACL SETUSER': ok,
    'ACL USERS': str_list,
    'ACL WHOAMI': to_str,
    'CLIENT INFO': parse_client_info,
    'CLIENT PAUSE': ok,
    'CLIENT SETINFO': ok,
    'CLIENT TRACKINGINFO': str_list,
    'CLIENT UNBLOCK': to_bool,
    'COMMAND': parse_command,
    'COMMAND DOCS': parse_command_docs,
    'COMMAND GETKEYS': str_list,
    'COMMAND INFO': parse_command,
    'FAILOVER': ok,
    'FUNCTION DELETE': ok,
    'FUNCTION FLUSH': ok,
    'FUNCTION RESTORE': ok,
    'LATENCY HISTOGRAM': parse_latency_histogram,
    'MEMORY PURGE': ok,
    'MEMORY STATS': parse_memory_stats,
    'MODULE LIST': module_list,
    'MODULE LOAD': to_bool,
    'MODULE UNLOAD': to_bool,
    'PUBSUB SHARDNUMSUB': channel_counts,
    'SWAPDB': ok,
}


# ---- MONITOR ---------------------------------------------------------------

_ESCAPES = {ord('n'): b'\n', ord('r'): b'\r', ord('t'): b'\t',
            ord('a'): b'\a', ord('b'): b'\b'}


def _monitor_args(data):
    """The arguments of a MONITOR line's quoted part ('"set" "k" "v\\n"'),
    as bytes, with the server's escapes undone"""
    args = []
    i, end = 0, len(data)
    while i < end:
        if data[i] != 0x22:  # '"'
            i += 1
            continue
        i += 1
        arg = bytearray()
        while i < end and data[i] != 0x22:
            c = data[i]
            if c == 0x5c and i + 1 < end:  # backslash
                nxt = data[i + 1]
                if nxt == ord('x') and i + 3 < end:
                    try:
                        arg.append(int(data[i + 2:i + 4], 16))
                        i += 4
                        continue
                    except ValueError:
                        pass
                arg += _ESCAPES.get(nxt, bytes((nxt,)))
                i += 2
                continue
            arg.append(c)
            i += 1
        args.append(bytes(arg))
        i += 1
    return args


def _monitor_client(client):
    # (address, port, type) of the part after the db number
    if client == 'lua':
        return 'lua', '', 'lua'
    if client.startswith('unix'):
        return 'unix', client[5:], 'unix'
    if not client:
        return '', '', 'unknown'
    address, _, port = client.rpartition(':')
    return address, port, 'tcp'


def parse_monitor_line(line, encoding='utf-8'):
    """One MONITOR line ('1700000000.123456 [0 127.0.0.1:5000] "get" "k"')
    as a dict: time (float), db (int), client_address, client_port,
    client_type ('tcp', 'unix', 'lua' or 'unknown') and command (the
    arguments, unescaped and decoded with ``encoding``, joined by
    spaces)"""
    if isinstance(line, str):
        line = line.encode(encoding, 'surrogateescape')
    stamp, _, rest = line.partition(b' ')
    header, _, quoted = rest.partition(b'] ')
    db, _, client = header.lstrip(b'[').partition(b' ')
    address, port, client_type = _monitor_client(
        client.decode('utf-8', 'replace'))
    command = ' '.join(arg.decode(encoding, 'backslashreplace')
                       for arg in _monitor_args(quoted))
    return {
        'time': float(stamp),
        'db': int(db),
        'client_address': address,
        'client_port': port,
        'client_type': client_type,
        'command': command,
    }
