"""The CLIENT command's subcommands: this connection and the others."""
from __future__ import annotations

from typing import Any, Iterable, List, Optional, Union

from redis.exceptions import DataError
from redis.typing import EncodableT, ResponseT

_LIST_TYPES = ('normal', 'master', 'replica', 'pubsub')
_KILL_TYPES = ('normal', 'master', 'slave', 'replica', 'pubsub')
_REPLY_MODES = ('ON', 'OFF', 'SKIP')


def _tracking_args(on, clientid, prefix, bcast, optin, optout, noloop):
    if prefix and not bcast:
        raise DataError('Prefix can only be used with bcast')
    if optin and optout:
        raise DataError('CLIENT TRACKING optin and optout are exclusive')
    if bcast and (optin or optout):
        raise DataError('CLIENT TRACKING bcast excludes optin and optout')
    args = ['ON' if on else 'OFF']
    if clientid is not None:
        args.extend(('REDIRECT', clientid))
    for p in prefix:
        args.extend(('PREFIX', p))
    for flag, word in ((bcast, 'BCAST'), (optin, 'OPTIN'),
                       (optout, 'OPTOUT'), (noloop, 'NOLOOP')):
        if flag:
            args.append(word)
    return args


def _kill_filters(_id, _type, addr, skipme, laddr, user, maxage):
    args = []
    if _type is not None:
        if str(_type).lower() not in _KILL_TYPES:
            raise DataError('CLIENT KILL type must be one of %r'
                            % (_KILL_TYPES,))
        args.extend(('TYPE', _type))
    if skipme is not None:
        if not isinstance(skipme, bool):
            raise DataError('CLIENT KILL skipme must be a bool')
        args.extend(('SKIPME', 'YES' if skipme else 'NO'))
    for word, value in (('ID', _id), ('ADDR', addr), ('LADDR', laddr),
                        ('USER', user), ('MAXAGE', maxage)):
        if value is not None:
            args.extend((word, value))
    if not args:
        raise DataError('CLIENT KILL <filter> <value> ... ... <filter> '
                        '<value> must specify at least one filter')
    return args


class ClientCommands(object):
    "The CLIENT command's subcommands: this connection and the others"

    def client_getname(self) -> ResponseT:
        "The name of this connection, or None"
        return self.execute_command('CLIENT GETNAME')

    def client_getredir(self, **kwargs: Any) -> ResponseT:
        """The id of the client that gets this connection's tracking
        invalidations: 0 for itself, -1 when tracking is off"""
        return self.execute_command('CLIENT GETREDIR', **kwargs)

    def client_id(self, **kwargs: Any) -> ResponseT:
        "The server's id of this connection, an int"
        return self.execute_command('CLIENT ID', **kwargs)

    def client_info(self, **kwargs: Any) -> ResponseT:
        """This connection as the server sees it: a dict of str, its
        counters (id, age, idle, db, ...) as ints"""
        return self.execute_command('CLIENT INFO', **kwargs)

    def client_kill(self, address: str) -> ResponseT:
        "Disconnect the client at ``address`` ('ip:port')"
        return self.execute_command('CLIENT KILL', address)

    def client_kill_filter(self, _id: Optional[Union[int, str]] = None,
                           _type: Optional[str] = None,
                           addr: Optional[str] = None,
                           skipme: Optional[bool] = None,
                           laddr: Optional[str] = None,
                           user: Optional[str] = None,
                           maxage: Optional[int] = None,
                           **kwargs: Any) -> ResponseT:
        """Disconnect every client matching all the filters given; the
        number disconnected.

        ``_id``: the client id; ``_type``: 'normal', 'master', 'slave',
        'replica' or 'pubsub'; ``addr`` / ``laddr``: its or our 'ip:port';
        ``user``: its ACL user; ``maxage``: connected longer than that many
        seconds; ``skipme``: spare this connection (the server's default:
        True)."""
        args = _kill_filters(_id, _type, addr, skipme, laddr, user, maxage)
        return self.execute_command('CLIENT KILL', *args, **kwargs)

    def client_list(self, _type: Optional[str] = None,
                    client_id: List[Union[int, str]] = [],
                    **kwargs: Any) -> ResponseT:
        """The connected clients, as a list of dicts; ``_type`` ('normal',
        'master', 'replica', 'pubsub') or the ids in ``client_id`` (a list)
        select some."""
        args = []
        if _type is not None:
            if str(_type).lower() not in _LIST_TYPES:
                raise DataError('CLIENT LIST _type must be one of %r'
                                % (_LIST_TYPES,))
            args.extend(('TYPE', _type))
        if not isinstance(client_id, list):
            raise DataError('client_id must be a list')
        if client_id:
            args.append('ID')
            args.extend(client_id)
        return self.execute_command('CLIENT LIST', *args, **kwargs)

    def client_no_evict(self, mode: str) -> ResponseT:
        """'ON': this connection is spared by client eviction; 'OFF' ends
        that"""
        return self.execute_command('CLIENT NO-EVICT', mode)

    def client_no_touch(self, mode: str) -> ResponseT:
        """'ON': this connection's commands leave the keys' LRU/LFU as they
        are (Redis 7.2); 'OFF' ends that"""
        return self.execute_command('CLIENT NO-TOUCH', mode)

    def client_pause(self, timeout: int, all: bool = True,
                     **kwargs: Any) -> ResponseT:
        """Hold the commands of all clients for ``timeout`` milliseconds
        (an int); with ``all=False`` only their writes"""
        if isinstance(timeout, bool) or not isinstance(timeout, int):
            raise DataError('CLIENT PAUSE timeout must be an integer')
        args = [timeout] if all else [timeout, 'WRITE']
        return self.execute_command('CLIENT PAUSE', *args, **kwargs)

    def client_reply(self, reply: str, **kwargs: Any) -> ResponseT:
        """'ON': the server answers this connection's commands (as it does
        unless told otherwise).

        'OFF' and 'SKIP' raise DataError: a pooled connection would then
        wait for replies that never come, or take one command's reply for
        another's."""
        if reply not in _REPLY_MODES:
            raise DataError('CLIENT REPLY must be one of %r'
                            % (_REPLY_MODES,))
        if reply != 'ON':
            raise DataError('CLIENT REPLY %s is not offered on pooled '
                            'connections: every command of this client '
                            'reads a reply' % reply)
        return self.execute_command('CLIENT REPLY', reply, **kwargs)

    def client_setinfo(self, attr: str, value: EncodableT,
                       **kwargs: Any) -> ResponseT:
        """Set the attribute ``attr`` ('LIB-NAME' or 'LIB-VER') of this
        connection, as CLIENT LIST shows it (Redis 7.2); True"""
        return self.execute_command('CLIENT SETINFO', attr, value, **kwargs)

    def client_setname(self, name: str) -> ResponseT:
        "Name this connection ``name``"
        return self.execute_command('CLIENT SETNAME', name)

    def client_tracking(self, on: bool = True, clientid: Optional[int] = None,
                        prefix: Iterable[str] = [], bcast: bool = False,
                        optin: bool = False, optout: bool = False,
                        noloop: bool = False, **kwargs: Any) -> ResponseT:
        """Turn server-assisted client-side caching on (``on``) or off for
        this connection.

        ``clientid``: the id of the connection (subscribed to
        __redis__:invalidate) that gets the invalidation messages, which a
        RESP2 connection needs; ``bcast``: about every key starting with
        one of ``prefix``, not just the keys this connection read;
        ``optin`` / ``optout``: track only / all but the reads after CLIENT
        CACHING yes / no; ``noloop``: not about this connection's own
        writes."""
        args = _tracking_args(on, clientid, prefix, bcast, optin, optout,
                              noloop)
        return self.execute_command('CLIENT TRACKING', *args, **kwargs)

    def client_tracking_off(self, clientid: Optional[int] = None,
                            prefix: Iterable[str] = [], bcast: bool = False,
                            optin: bool = False, optout: bool = False,
                            noloop: bool = False) -> ResponseT:
        "client_tracking(False, ...)"
        return self.client_tracking(False, clientid, prefix, bcast, optin,
                                    optout, noloop)

    def client_tracking_on(self, clientid: Optional[int] = None,
                           prefix: Iterable[str] = [], bcast: bool = False,
                           optin: bool = False, optout: bool = False,
                           noloop: bool = False) -> ResponseT:
        "client_tracking(True, ...)"
        return self.client_tracking(True, clientid, prefix, bcast, optin,
                                    optout, noloop)

    def client_trackinginfo(self, **kwargs: Any) -> ResponseT:
        """This connection's tracking state: the flat list ['flags', [...],
        'redirect', id, 'prefixes', [...]]"""
        return self.execute_command('CLIENT TRACKINGINFO', **kwargs)

    def client_unblock(self, client_id: int, error: bool = False,
                       **kwargs: Any) -> ResponseT:
        """End the blocking command (BLPOP and the like) of client
        ``client_id`` as if it timed out, or with ``error`` with an
        UNBLOCKED error; whether it was blocked"""
        args = [client_id, 'ERROR'] if error else [client_id]
        return self.execute_command('CLIENT UNBLOCK', *args, **kwargs)

    def client_unpause(self, **kwargs: Any) -> ResponseT:
        "End a CLIENT PAUSE"
        return self.execute_command('CLIENT UNPAUSE', **kwargs)
