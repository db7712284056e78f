"""Reply conversions of the data commands added after Redis 3.0 (streams,
sorted sets, lists, strings, keys, hashes, sets, geo), in the shapes
today's redis-py returns.

Each function gets the reply as the reader produced it (bytes, or str with
``decode_responses``) and the keyword options the command method passed to
``execute_command``. Field names the server chose (XINFO, XPENDING)
become str keys, as today's redis-py gives them; data stays as read.
"""
from redis.utils import nativestr


def _pairs(flat):
    it = iter(flat)
    return dict(zip(it, it))


def _pairs_str_keys(flat):
    # a reply that is a flat name/value list of server-chosen field names
    it = iter(flat)
    return dict((nativestr(k), v) for k, v in zip(it, it))


def bool_or_ok(response, **options):
    "True for the status OK or a non-zero integer"
    if isinstance(response, int):
        return bool(response)
    return response == b'OK' or response == 'OK'


def to_bool(response, **options):
    return bool(response)


def float_list(response, **options):
    "A list of floats, None where the reply had nil"
    return [None if v is None else float(v) for v in response]


def score_pairs(response, **options):
    """A flat member/score list as [(member, score_cast_func(score))]: always
    for ZPOPMIN/ZPOPMAX, with ``withscores`` for the others."""
    if not response:
        return response if response is not None else []
    if not options.get('withscores', True):
        return response
    cast = options.get('score_cast_func', float)
    it = iter(response)
    return [(member, cast(score)) for member, score in zip(it, it)]


def key_member_score(response, **options):
    "BZPOPMIN/BZPOPMAX: (key, member, score) or None on timeout"
    if not response:
        return None
    return (response[0], response[1], float(response[2]))


def key_and_pairs(response, **options):
    """ZMPOP/BZMPOP: [key, [[member, score], ...]] with float scores, or
    None when nothing was popped"""
    if not response:
        return None
    key, entries = response
    return [key, [[member, float(score)] for member, score in entries]]


def zrandmember_reply(response, **options):
    "ZRANDMEMBER: member(s) as read; with ``withscores`` (member, score)"
    if not options.get('withscores') or not response:
        return response
    return score_pairs(response)


def geosearch_reply(response, **options):
    """GEOSEARCH: place names as read, or with any of withdist/withhash/
    withcoord a [name, dist, hash, (lon, lat)] list per place holding just
    the parts asked for, in that order."""
    return _places(response, options, lambda name: name)


def georadius_ro_reply(response, **options):
    """GEORADIUS_RO/GEORADIUSBYMEMBER_RO: as this package's GEORADIUS gives
    its reply (2.10.6's shape): the names as str"""
    return _places(response, options, nativestr)


def _places(response, options, name_cast):
    casts = [name_cast]
    if options.get('withdist'):
        casts.append(float)
    if options.get('withhash'):
        casts.append(int)
    if options.get('withcoord'):
        casts.append(lambda pair: (float(pair[0]), float(pair[1])))
    if len(casts) == 1:
        return [name_cast(name) for name in response]
    return [[cast(part) for cast, part in zip(casts, place)]
            for place in response]


# ---- streams -----------------------------------------------------------------

def stream_entries(response, **options):
    """XRANGE/XREVRANGE/XCLAIM: a list of (id, {field: value}); an entry
    deleted since it was delivered has {} for fields, a nil entry is
    (None, None)"""
    if response is None:
        return None
    entries = []
    for entry in response:
        if entry is None:
            entries.append((None, None))
        else:
            entries.append((entry[0], _pairs(entry[1] or ())))
    return entries


def xread_reply(response, **options):
    "XREAD/XREADGROUP: [[stream, [(id, fields), ...]], ...]; [] on timeout"
    if response is None:
        return []
    return [[name, stream_entries(entries)] for name, entries in response]


def xclaim_reply(response, **options):
    "XCLAIM: entries, or with ``justid`` the ids as read"
    if options.get('justid'):
        return response
    return stream_entries(response)


def xautoclaim_reply(response, **options):
    """XAUTOCLAIM: [next start id, claimed entries, deleted ids]; with
    ``justid`` only the claimed ids"""
    if options.get('justid'):
        return response[1]
    return [response[0], stream_entries(response[1])] + list(response[2:])


def xpending_reply(response, **options):
    """XPENDING: the summary {'pending', 'min', 'max', 'consumers': [{'name',
    'pending'}]}, or for the range form one dict per pending entry (told
    apart by shape: the summary starts with the count)"""
    if not response or not isinstance(response[0], int):
        return xpending_range_reply(response)
    consumers = [{'name': name, 'pending': int(count)}
                 for name, count in response[3] or []]
    return {'pending': response[0], 'min': response[1], 'max': response[2],
            'consumers': consumers}


def xpending_range_reply(response, **options):
    "XPENDING with a range: one dict per pending entry"
    return [{'message_id': entry[0], 'consumer': entry[1],
             'time_since_delivered': entry[2], 'times_delivered': entry[3]}
            for entry in response]


def info_dicts(response, **options):
    "XINFO GROUPS/CONSUMERS: a list of dicts with str keys"
    return [_pairs_str_keys(item) for item in response]


def _entry(entry):
    if entry is None:
        return None
    return (entry[0], _pairs(entry[1]))


def xinfo_stream_reply(response, **options):
    """XINFO STREAM: a dict with str keys, first-entry/last-entry as (id,
    fields); with ``full`` the entries as {id: fields} and each group and
    consumer a dict with str keys"""
    info = _pairs_str_keys(response)
    if not options.get('full'):
        for name in ('first-entry', 'last-entry'):
            if name in info:
                info[name] = _entry(info[name])
        return info
    info['entries'] = dict((entry_id, _pairs(fields))
                           for entry_id, fields in info['entries'])
    groups = []
    for flat in info['groups']:
        group = _pairs_str_keys(flat)
        # (today's redis-py leaves these keys as read: bytes without
        # decode_responses; the same shape here)
        group['consumers'] = [_pairs(c) for c in group.get('consumers') or []]
        groups.append(group)
    info['groups'] = groups
    return info


DATA_CALLBACKS = {
    # streams
    'XACK': int,
    'XAUTOCLAIM': xautoclaim_reply,
    'XCLAIM': xclaim_reply,
    'XDEL': int,
    'XGROUP CREATE': bool_or_ok,
    'XGROUP CREATECONSUMER': int,
    'XGROUP DELCONSUMER': int,
    'XGROUP DESTROY': to_bool,
    'XGROUP SETID': bool_or_ok,
    'XINFO CONSUMERS': info_dicts,
    'XINFO GROUPS': info_dicts,
    'XINFO STREAM': xinfo_stream_reply,
    'XLEN': int,
    'XPENDING': xpending_reply,
    'XRANGE': stream_entries,
    'XREAD': xread_reply,
    'XREADGROUP': xread_reply,
    'XREVRANGE': stream_entries,
    'XSETID': bool_or_ok,
    'XTRIM': int,
    # sorted sets
    'BZMPOP': key_and_pairs,
    'BZPOPMAX': key_member_score,
    'BZPOPMIN': key_member_score,
    'ZDIFF': score_pairs,
    'ZINTER': score_pairs,
    'ZMPOP': key_and_pairs,
    'ZMSCORE': float_list,
    'ZPOPMAX': score_pairs,
    'ZPOPMIN': score_pairs,
    'ZRANDMEMBER': zrandmember_reply,
    'ZUNION': score_pairs,
    # keys
    'COPY': to_bool,
    # geo
    'GEORADIUSBYMEMBER_RO': georadius_ro_reply,
    'GEORADIUS_RO': georadius_ro_reply,
    'GEOSEARCH': geosearch_reply,
}
