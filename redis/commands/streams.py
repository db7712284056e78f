"""Commands on streams: XADD, XREAD, XREADGROUP, XGROUP, ..."""
from __future__ import annotations

from typing import Mapping, Optional, Sequence

from redis.exceptions import DataError
from redis.typing import (
    AnyFieldT, AnyKeyT, EncodableT, FieldT, KeyT, ResponseT, StreamIdT,
)


def _positive_int(value, what):
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise DataError('%s must be a positive integer' % what)


def _non_negative_int(value, what):
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise DataError('%s must be a non-negative integer' % what)


def _trim_args(command, maxlen, approximate, minid, limit):
    # the MAXLEN|MINID [=|~] threshold [LIMIT count] part of XADD and XTRIM
    if maxlen is not None and minid is not None:
        raise DataError('%s: only one of maxlen and minid can be given'
                        % command)
    if maxlen is None and minid is None:
        if limit is not None:
            raise DataError('%s: limit needs maxlen or minid' % command)
        return []
    if maxlen is not None:
        _non_negative_int(maxlen, '%s maxlen' % command)
        pieces = ['MAXLEN']
    else:
        pieces = ['MINID']
    if approximate:
        pieces.append('~')
    pieces.append(maxlen if maxlen is not None else minid)
    if limit is not None:
        if not approximate:
            # the server only takes LIMIT with '~'
            raise DataError('%s: limit needs approximate=True' % command)
        _non_negative_int(limit, '%s limit' % command)
        pieces += ['LIMIT', limit]
    return pieces


def _streams_args(command, streams, count, block):
    # the [COUNT c] [BLOCK ms] ... STREAMS key... id... part of XREAD(GROUP)
    if not isinstance(streams, dict) or not streams:
        raise DataError('%s: streams must be a non-empty dict of stream '
                        'name -> id' % command)
    pieces = []
    if count is not None:
        _positive_int(count, '%s count' % command)
        pieces += ['COUNT', count]
    if block is not None:
        _non_negative_int(block, '%s block' % command)
        pieces += ['BLOCK', block]
    return pieces, list(streams), list(streams.values())


class StreamCommands(object):
    """Commands on streams: XADD, XREAD, XREADGROUP, XGROUP, ..."""

    def xadd(self, name: KeyT, fields: Mapping[AnyFieldT, EncodableT],
             id: StreamIdT = '*', maxlen: Optional[int] = None,
             approximate: bool = True, nomkstream: bool = False,
             minid: Optional[StreamIdT] = None,
             limit: Optional[int] = None) -> ResponseT:
        """Append an entry with the dict ``fields`` to stream ``name`` under
        ``id`` ('*': the server picks); returns the entry's id.

        ``maxlen`` or ``minid`` trims the stream as XTRIM does (about, when
        ``approximate``; ``limit`` caps the entries evicted);
        ``nomkstream`` adds nothing (returns None) when the stream does not
        exist."""
        if not isinstance(fields, dict) or not fields:
            raise DataError('XADD fields must be a non-empty dict')
        pieces = ['XADD', name]
        if nomkstream:
            pieces.append('NOMKSTREAM')
        pieces += _trim_args('XADD', maxlen, approximate, minid, limit)
        pieces.append(id)
        for pair in fields.items():
            pieces.extend(pair)
        return self.execute_command(*pieces)

    def xlen(self, name: KeyT) -> ResponseT:
        "The number of entries in stream ``name``"
        return self.execute_command('XLEN', name)

    def xrange(self, name: KeyT, min: StreamIdT = '-', max: StreamIdT = '+',
               count: Optional[int] = None) -> ResponseT:
        """Entries of ``name`` with ids from ``min`` to ``max`` (inclusive;
        '(' before an id excludes it), oldest first, at most ``count``: a
        list of (id, fields dict)."""
        pieces = ['XRANGE', name, min, max]
        if count is not None:
            _positive_int(count, 'XRANGE count')
            pieces += ['COUNT', count]
        return self.execute_command(*pieces)

    def xrevrange(self, name: KeyT, max: StreamIdT = '+', min: StreamIdT = '-',
                  count: Optional[int] = None) -> ResponseT:
        "Like xrange, newest first, from ``max`` down to ``min``"
        pieces = ['XREVRANGE', name, max, min]
        if count is not None:
            _positive_int(count, 'XREVRANGE count')
            pieces += ['COUNT', count]
        return self.execute_command(*pieces)

    def xread(self, streams: Mapping[AnyKeyT, StreamIdT],
              count: Optional[int] = None,
              block: Optional[int] = None) -> ResponseT:
        """Entries after the given ids of the streams in the dict ``streams``
        (name -> id; '$' for only new ones), at most ``count`` per stream,
        waiting up to ``block`` milliseconds (0: forever) when there are
        none. Returns [[name, [(id, fields), ...]], ...], [] on timeout."""
        options, names, ids = _streams_args('XREAD', streams, count, block)
        return self.execute_command('XREAD', *(options + ['STREAMS'] +
                                               names + ids))

    def xreadgroup(self, groupname: FieldT, consumername: FieldT,
                   streams: Mapping[AnyKeyT, StreamIdT],
                   count: Optional[int] = None, block: Optional[int] = None,
                   noack: bool = False) -> ResponseT:
        """xread as consumer ``consumername`` of group ``groupname``: the id
        '>' reads entries never delivered to the group, another id re-reads
        this consumer's pending ones. ``noack`` does not add the entries
        read to the pending list."""
        options, names, ids = _streams_args('XREADGROUP', streams, count,
                                            block)
        if noack:
            options.append('NOACK')
        return self.execute_command(
            'XREADGROUP', 'GROUP', groupname, consumername,
            *(options + ['STREAMS'] + names + ids))

    def xgroup_create(self, name: KeyT, groupname: FieldT, id: StreamIdT = '$',
                      mkstream: bool = False,
                      entries_read: Optional[int] = None) -> ResponseT:
        """Create the consumer group ``groupname`` of stream ``name``
        delivering entries after ``id`` ('$': only new ones); ``mkstream``
        creates an empty stream if there is none."""
        pieces = ['XGROUP CREATE', name, groupname, id]
        if mkstream:
            pieces.append('MKSTREAM')
        if entries_read is not None:
            pieces += ['ENTRIESREAD', entries_read]
        return self.execute_command(*pieces)

    def xgroup_setid(self, name: KeyT, groupname: FieldT, id: StreamIdT,
                     entries_read: Optional[int] = None) -> ResponseT:
        "Make group ``groupname`` of ``name`` deliver entries after ``id``"
        pieces = ['XGROUP SETID', name, groupname, id]
        if entries_read is not None:
            pieces += ['ENTRIESREAD', entries_read]
        return self.execute_command(*pieces)

    def xgroup_destroy(self, name: KeyT, groupname: FieldT) -> ResponseT:
        "Delete group ``groupname`` of ``name``; True if it existed"
        return self.execute_command('XGROUP DESTROY', name, groupname)

    def xgroup_createconsumer(self, name: KeyT, groupname: FieldT,
                              consumername: FieldT) -> ResponseT:
        "Add consumer ``consumername`` to a group; 1 if new, else 0"
        return self.execute_command('XGROUP CREATECONSUMER', name, groupname,
                                    consumername)

    def xgroup_delconsumer(self, name: KeyT, groupname: FieldT,
                           consumername: FieldT) -> ResponseT:
        """Remove consumer ``consumername`` from a group; the number of
        entries it had pending"""
        return self.execute_command('XGROUP DELCONSUMER', name, groupname,
                                    consumername)

    def xack(self, name: KeyT, groupname: FieldT,
             *ids: StreamIdT) -> ResponseT:
        "Acknowledge the entries ``ids`` for a group; the number acknowledged"
        return self.execute_command('XACK', name, groupname, *ids)

    def xpending(self, name: KeyT, groupname: FieldT) -> ResponseT:
        """The pending entries of a group in summary: {'pending': count,
        'min': id, 'max': id, 'consumers': [{'name', 'pending'}, ...]}"""
        return self.execute_command('XPENDING', name, groupname)

    def xpending_range(self, name: KeyT, groupname: FieldT, min: StreamIdT,
                       max: StreamIdT, count: int,
                       consumername: Optional[FieldT] = None,
                       idle: Optional[int] = None) -> ResponseT:
        """Up to ``count`` pending entries of a group with ids ``min`` to
        ``max``, of one consumer if given, idle at least ``idle`` ms: a list
        of {'message_id', 'consumer', 'time_since_delivered',
        'times_delivered'}."""
        if min is None or max is None or count is None:
            raise DataError('XPENDING with a range needs min, max and count')
        pieces = ['XPENDING', name, groupname]
        if idle is not None:
            _non_negative_int(idle, 'XPENDING idle')
            pieces += ['IDLE', idle]
        pieces += [min, max, count]
        if consumername is not None:
            pieces.append(consumername)
        return self.execute_command(*pieces)

    def xclaim(self, name: KeyT, groupname: FieldT, consumername: FieldT,
               min_idle_time: int, message_ids: Sequence[StreamIdT],
               idle: Optional[int] = None, time: Optional[int] = None,
               retrycount: Optional[int] = None, force: bool = False,
               justid: bool = False) -> ResponseT:
        """Give the pending entries ``message_ids`` idle at least
        ``min_idle_time`` ms to ``consumername``; the entries claimed, or
        with ``justid`` their ids.

        ``idle`` (ms) or ``time`` (unix ms) sets their idle time,
        ``retrycount`` their delivery count; ``force`` claims ids not
        pending yet."""
        _non_negative_int(min_idle_time, 'XCLAIM min_idle_time')
        if not isinstance(message_ids, (list, tuple)) or not message_ids:
            raise DataError('XCLAIM message_ids must be a non-empty list '
                            'or tuple of ids')
        pieces = ['XCLAIM', name, groupname, consumername, min_idle_time]
        pieces.extend(message_ids)
        for word, value in (('IDLE', idle), ('TIME', time),
                            ('RETRYCOUNT', retrycount)):
            if value is not None:
                _non_negative_int(value, 'XCLAIM %s' % word.lower())
                pieces += [word, value]
        if force:
            pieces.append('FORCE')
        if justid:
            pieces.append('JUSTID')
        return self.execute_command(*pieces, justid=justid)

    def xautoclaim(self, name: KeyT, groupname: FieldT, consumername: FieldT,
                   min_idle_time: int, start_id: StreamIdT = '0-0',
                   count: Optional[int] = None,
                   justid: bool = False) -> ResponseT:
        """Claim for ``consumername`` up to ``count`` pending entries idle at
        least ``min_idle_time`` ms, scanning from ``start_id``. Returns
        [next start id, claimed entries, ids deleted meanwhile]; with
        ``justid`` only the claimed ids."""
        _non_negative_int(min_idle_time, 'XAUTOCLAIM min_idle_time')
        pieces = ['XAUTOCLAIM', name, groupname, consumername, min_idle_time,
                  start_id]
        if count is not None:
            _positive_int(count, 'XAUTOCLAIM count')
            pieces += ['COUNT', count]
        if justid:
            pieces.append('JUSTID')
        return self.execute_command(*pieces, justid=justid)

    def xdel(self, name: KeyT, *ids: StreamIdT) -> ResponseT:
        "Delete the entries ``ids`` from ``name``; the number deleted"
        return self.execute_command('XDEL', name, *ids)

    def xtrim(self, name: KeyT, maxlen: Optional[int] = None,
              approximate: bool = True, minid: Optional[StreamIdT] = None,
              limit: Optional[int] = None) -> ResponseT:
        """Trim ``name`` to ``maxlen`` entries or to ids from ``minid`` on
        (about, when ``approximate``; ``limit`` caps the entries evicted);
        the number of entries deleted."""
        if maxlen is None and minid is None:
            raise DataError('XTRIM needs maxlen or minid')
        return self.execute_command(
            'XTRIM', name, *_trim_args('XTRIM', maxlen, approximate, minid,
                                       limit))

    def xsetid(self, name: KeyT, last_id: StreamIdT,
               entries_added: Optional[int] = None,
               max_deleted_id: Optional[StreamIdT] = None) -> ResponseT:
        "Set the last id (and counters) of stream ``name``, as replicas do"
        pieces = ['XSETID', name, last_id]
        if entries_added is not None:
            pieces += ['ENTRIESADDED', entries_added]
        if max_deleted_id is not None:
            pieces += ['MAXDELETEDID', max_deleted_id]
        return self.execute_command(*pieces)

    def xinfo_stream(self, name: KeyT, full: bool = False) -> ResponseT:
        """Facts about stream ``name`` as a dict; ``full`` adds every entry,
        group, consumer and pending entry."""
        if full:
            return self.execute_command('XINFO STREAM', name, 'FULL',
                                        full=True)
        return self.execute_command('XINFO STREAM', name)

    def xinfo_groups(self, name: KeyT) -> ResponseT:
        "The consumer groups of ``name``, one dict each"
        return self.execute_command('XINFO GROUPS', name)

    def xinfo_consumers(self, name: KeyT, groupname: FieldT) -> ResponseT:
        "The consumers of group ``groupname`` of ``name``, one dict each"
        return self.execute_command('XINFO CONSUMERS', name, groupname)
