"""The client classes: StrictRedis, the legacy Redis, and their pipelines.

Commands live in ``redis.commands`` (one mixin per data type), reply
conversions in ``redis.replies``; this module ties them to a connection
pool and keeps every 2.10.6 name importable from here.
"""
# (2.10.6's module had this name too)
from __future__ import with_statement  # noqa: F401
from __future__ import annotations

import datetime
import hashlib  # noqa: F401 (a 2.10.6 name of this module, like sys...)
import sys  # noqa: F401
import threading  # noqa: F401
import time
import time as mod_time  # noqa: F401
import warnings
from itertools import chain  # noqa: F401
from typing import Any, Callable, Mapping, Optional, Type, TypeVar, Union

from redis._compat import (  # noqa: F401 (2.10.6 imported them here)
    b, basestring, bytes, imap, iteritems, iterkeys, itervalues, izip, long,
    safe_unicode, unicode,
)

from redis.commands import CoreCommands
from redis.connection import (  # noqa: F401 (Token: a 2.10.6 name)
    Connection, ConnectionPool, SSLConnection, Token,
    UnixDomainSocketConnection,
)
from redis.exceptions import (  # noqa: F401
    BusyLoadingError, ConnectionError, DataError, ExecAbortError,
    NoScriptError, PubSubError, RedisError, ResponseError, TimeoutError,
    WatchError,
)
from redis.replies import *  # noqa: F401,F403 (2.10.6 exported these here)
from redis.replies import LEGACY_RESPONSE_CALLBACKS, RESPONSE_CALLBACKS
from redis.lock import Lock, LuaLock  # noqa: F401
from redis.pipeline import BasePipeline
from redis.pubsub import PubSub, PubSubWorkerThread  # noqa: F401
from redis.scripting import Script  # noqa: F401
from redis.resend import CONNECT, READ, SEND, may_resend
from redis.typing import (
    EncodableT, ExpiryT, KeyT, Number, ResponseCallbackT, ResponseT,
    SSLPasswordT,
)
from redis.utils import nativestr  # noqa: F401

SYM_EMPTY = b''

_RedisT = TypeVar('_RedisT', bound='StrictRedis')

def _last_argument(args):
    return args[-1]


def _first_argument(args):
    return args[1]


def _block_option(args):
    # XREAD/XREADGROUP wait only with BLOCK <milliseconds>
    for i, arg in enumerate(args):
        if arg == 'STREAMS':
            break  # key names and ids follow
        if arg == 'BLOCK':
            return float(args[i + 1]) / 1000.0
    return None


# The reply of these waits as long as the argument each function finds says
# (seconds; 0 = forever; None = not blocking), which socket_timeout must not
# cut short.
BLOCKING_COMMANDS = {
    'BLPOP': _last_argument, 'BRPOP': _last_argument,
    'BRPOPLPUSH': _last_argument, 'BZPOPMIN': _last_argument,
    'BZPOPMAX': _last_argument, 'BLMOVE': _last_argument,
    'BLMPOP': _first_argument, 'BZMPOP': _first_argument,
    'XREAD': _block_option, 'XREADGROUP': _block_option,
}


class StrictRedis(CoreCommands):
    """A client for one Redis server (or one database of it).

    Commands are methods named after them; each takes a connection from
    ``connection_pool``, sends, reads, converts the reply through
    ``RESPONSE_CALLBACKS`` and gives the connection back.
    """
    RESPONSE_CALLBACKS = RESPONSE_CALLBACKS

    @classmethod
    def from_url(cls: Type[_RedisT], url: str, db: Optional[int] = None,
                 **kwargs: Any) -> _RedisT:
        """A client configured by a URL: ``redis://[:password]@host:port/db``,
        ``rediss://...`` for TLS or ``unix://[:password]@/path.sock?db=N``.

        The database comes from the ``db`` query option, else the path, else
        the ``db`` argument. Keyword arguments go to the ConnectionPool and
        win over the URL's options.
        """
        connection_pool = ConnectionPool.from_url(url, db=db, **kwargs)
        return cls(connection_pool=connection_pool)

    def __init__(
            self, host: str = 'localhost', port: int = 6379, db: int = 0,
            password: Optional[str] = None,
            socket_timeout: Optional[float] = None,
            socket_connect_timeout: Optional[float] = None,
            socket_keepalive: Optional[bool] = None,
            socket_keepalive_options: Optional[
                Mapping[int, Union[int, bytes]]] = None,
            connection_pool: Optional[ConnectionPool] = None,
            unix_socket_path: Optional[str] = None, encoding: str = 'utf-8',
            encoding_errors: str = 'strict', charset: Optional[str] = None,
            errors: Optional[str] = None, decode_responses: bool = False,
            retry_on_timeout: bool = False, ssl: bool = False,
            ssl_keyfile: Optional[str] = None,
            ssl_certfile: Optional[str] = None,
            ssl_cert_reqs: Union[str, int, None] = 'required',
            ssl_ca_certs: Optional[str] = None,
            max_connections: Optional[int] = None,
            ssl_ca_path: Optional[str] = None,
            ssl_ca_data: Optional[Union[str, bytes]] = None,
            ssl_check_hostname: bool = True,
            ssl_password: Optional[SSLPasswordT] = None,
            ssl_min_version: Optional[Union[str, int]] = None,
            ssl_ciphers: Optional[str] = None, username: Optional[str] = None,
            client_name: Optional[str] = None,
            health_check_interval: Number = 0,
    ) -> None:
        # Every argument but connection_pool describes the pool to build;
        # with a pool given they are all ignored, the deprecated names too.
        if not connection_pool:
            if charset is not None:
                warnings.warn(DeprecationWarning(
                    '"charset" is deprecated. Use "encoding" instead'))
                encoding = charset
            if errors is not None:
                warnings.warn(DeprecationWarning(
                    '"errors" is deprecated. Use "encoding_errors" instead'))
                encoding_errors = errors
            pool_kwargs = dict(
                db=db, password=password, socket_timeout=socket_timeout,
                encoding=encoding, encoding_errors=encoding_errors,
                decode_responses=decode_responses,
                retry_on_timeout=retry_on_timeout,
                max_connections=max_connections)
            # (only when given: the pool gets what 2.10.6 gave it otherwise)
            for name, value in (('username', username),
                                ('client_name', client_name),
                                ('health_check_interval',
                                 health_check_interval)):
                if value:
                    pool_kwargs[name] = value
            if unix_socket_path is not None:
                # no host, port, TCP options or TLS over a unix socket
                pool_kwargs.update(
                    connection_class=UnixDomainSocketConnection,
                    path=unix_socket_path)
            else:
                pool_kwargs.update(
                    host=host, port=port,
                    socket_connect_timeout=socket_connect_timeout,
                    socket_keepalive=socket_keepalive,
                    socket_keepalive_options=socket_keepalive_options)
                if ssl:
                    pool_kwargs.update(
                        connection_class=SSLConnection,
                        ssl_keyfile=ssl_keyfile, ssl_certfile=ssl_certfile,
                        ssl_cert_reqs=ssl_cert_reqs,
                        ssl_ca_certs=ssl_ca_certs, ssl_ca_path=ssl_ca_path,
                        ssl_ca_data=ssl_ca_data,
                        ssl_check_hostname=ssl_check_hostname,
                        ssl_password=ssl_password,
                        ssl_min_version=ssl_min_version,
                        ssl_ciphers=ssl_ciphers)
            connection_pool = ConnectionPool(**pool_kwargs)
        self.connection_pool = connection_pool
        # whether lock() makes LuaLocks: found out on its first call
        self._use_lua_lock = None
        self.response_callbacks = self.__class__.RESPONSE_CALLBACKS.copy()

    def __repr__(self) -> str:
        return "%s<%s>" % (type(self).__name__, repr(self.connection_pool))

    def set_response_callback(self, command: str,
                              callback: ResponseCallbackT) -> None:
        "Set a custom Response Callback"
        self.response_callbacks[command] = callback

    def pipeline(self, transaction: bool = True,
                 shard_hint: Optional[str] = None) -> StrictPipeline:
        """A pipeline that buffers commands and sends them in one round
        trip at ``execute()``; with ``transaction`` they run as one
        MULTI/EXEC block."""
        return StrictPipeline(
            self.connection_pool,
            self.response_callbacks,
            transaction,
            shard_hint)

    def transaction(self, func: Callable[[Any], Any], *watches: KeyT,
                    **kwargs: Any) -> Any:
        """Run ``func(pipe)`` and execute the pipeline while WATCHing
        ``watches``, again and again until no watched key changed under it.

        Returns what execute() returned, or what ``func`` returned when
        ``value_from_callable`` is true; ``watch_delay`` seconds pass between
        tries."""
        shard_hint = kwargs.pop('shard_hint', None)
        value_from_callable = kwargs.pop('value_from_callable', False)
        watch_delay = kwargs.pop('watch_delay', None)
        with self.pipeline(True, shard_hint) as pipe:
            while True:
                try:
                    if watches:
                        pipe.watch(*watches)
                    returned = func(pipe)
                    results = pipe.execute()
                except WatchError:
                    # a watched key changed (or the WATCH was lost): again
                    if watch_delay is not None and watch_delay > 0:
                        time.sleep(watch_delay)
                    continue
                return returned if value_from_callable else results

    def lock(self, name: KeyT, timeout: Optional[Number] = None,
             sleep: Number = 0.1, blocking_timeout: Optional[Number] = None,
             lock_class: Optional[Type[Lock]] = None,
             thread_local: bool = True) -> Lock:
        """A Lock on key ``name`` that behaves like threading.Lock.

        ``timeout``: seconds the lock lives (None: until released);
        ``sleep``: seconds between tries while blocking; ``blocking_timeout``:
        most seconds to try (None: no limit); ``lock_class``: Lock or LuaLock,
        by default LuaLock when the server runs Lua; ``thread_local``: keep
        the lock's token per thread.
        """
        if lock_class is None:
            if self._use_lua_lock is None:
                # Registering LuaLock's scripts fails on a server without
                # Lua; the answer holds for every later lock of this client.
                try:
                    LuaLock.register_scripts(self)
                except ResponseError:
                    self._use_lua_lock = False
                else:
                    self._use_lua_lock = True
            lock_class = LuaLock if self._use_lua_lock else Lock
        return lock_class(self, name, timeout=timeout, sleep=sleep,
                          blocking_timeout=blocking_timeout,
                          thread_local=thread_local)

    def pubsub(self, **kwargs: Any) -> PubSub:
        "A PubSub object that subscribes to channels and reads their messages"
        return PubSub(self.connection_pool, **kwargs)

    def register_script(self, script: Union[str, bytes]) -> Script:
        """A callable Script for the Lua source ``script``: it runs by SHA
        and loads itself when the server does not know it."""
        return Script(self, script)

    # COMMAND EXECUTION AND PROTOCOL PARSING
    def execute_command(self, *args: Any, **options: Any) -> Any:
        """Execute a command and return a parsed response.

        After a failure the command is sent again, once, on a fresh
        connection, only when redis.resend allows it: when it cannot have
        run (a pooled connection the server had closed, a LOADING refusal),
        or after a read timeout with ``retry_on_timeout=True``.
        """
        pool = self.connection_pool
        command_name = args[0]
        # (without options, a plain call: no keyword dict built per command)
        connection = pool.get_connection(command_name, **options) \
            if options else pool.get_connection(command_name)
        try:
            try:
                was_connected = connection._sock is not None
            except AttributeError:
                # a connection class of the user's own, without a socket to
                # tell by: taken as connected, so a failed send is made
                # again once, as 2.10.6 did
                was_connected = True
            try:
                connection.send_command(*args)
            except ConnectionError as e:
                if not may_resend(e, SEND if was_connected else CONNECT,
                                  connection):
                    raise
                connection.disconnect()
                connection.send_command(*args)
            try:
                if command_name in BLOCKING_COMMANDS:
                    return self._parse_blocking_response(
                        connection, command_name, args, options)
                if options:
                    return self.parse_response(connection, command_name,
                                               **options)
                return self.parse_response(connection, command_name)
            except (BusyLoadingError, TimeoutError) as e:
                if not may_resend(e, READ, connection):
                    raise
            connection.disconnect()
            connection.send_command(*args)
            if command_name in BLOCKING_COMMANDS:
                return self._parse_blocking_response(
                    connection, command_name, args, options)
            return self.parse_response(connection, command_name, **options)
        except ResponseError:
            # an error reply was read whole: the connection is in step
            raise
        except BaseException:
            # Anything else (KeyboardInterrupt between send and read, a
            # failing callback, a refusal) may leave a reply unread on the
            # socket, or a connection the server is closing.
            connection.disconnect()
            raise
        finally:
            pool.release(connection)

    def _parse_blocking_response(self, connection, command_name, args,
                                 options):
        # Wait for the command's own timeout plus socket_timeout, or forever
        # for timeout=0, so socket_timeout does not kill a BLPOP that is
        # waiting as asked. (Not for a connection class of the user's own:
        # its socket is its own business, as in 2.10.6.)
        if not isinstance(connection, Connection):
            return self.parse_response(connection, command_name, **options)
        sock = connection._sock
        socket_timeout = getattr(connection, 'socket_timeout', None)
        if sock is None or socket_timeout is None:
            return self.parse_response(connection, command_name, **options)
        try:
            wait = BLOCKING_COMMANDS[command_name](args)
            if wait is None:
                return self.parse_response(connection, command_name,
                                           **options)
            wait = float(wait)
        except (TypeError, ValueError, IndexError):
            wait = 0
        # (at least a second of slack: the server answers a timed-out pop
        # on its next cron tick, which can come after a tiny socket_timeout)
        sock.settimeout(None if wait <= 0 else
                        wait + max(socket_timeout, 1.0))
        try:
            return self.parse_response(connection, command_name, **options)
        finally:
            if connection._sock is sock:
                sock.settimeout(socket_timeout)

    def parse_response(self, connection: Connection, command_name: str,
                       **options: Any) -> Any:
        "Parses a response from the Redis server"
        response = connection.read_response()
        callback = self.response_callbacks.get(command_name)
        if callback is None:
            return response
        return callback(response, **options)


class Redis(StrictRedis):
    """StrictRedis with the argument orders of older redis-py releases:
    ``setex(name, value, time)``, ``lrem(name, value, num=0)`` and
    ``zadd(name, name1, score1, ...)``, kept for code written against them.
    """

    RESPONSE_CALLBACKS = LEGACY_RESPONSE_CALLBACKS

    def pipeline(self, transaction: bool = True,
                 shard_hint: Optional[str] = None) -> Pipeline:
        """A pipeline that buffers commands and sends them in one round
        trip at ``execute()``; with ``transaction`` they run as one
        MULTI/EXEC block."""
        return Pipeline(
            self.connection_pool,
            self.response_callbacks,
            transaction,
            shard_hint)

    def setex(self, name: KeyT, value: EncodableT, time: ExpiryT) -> ResponseT:
        """Set ``name`` to ``value`` expiring in ``time`` seconds (an int or
        a timedelta)"""
        if isinstance(time, datetime.timedelta):
            time = time.seconds + time.days * 24 * 3600
        return self.execute_command('SETEX', name, time, value)

    def lrem(self, name: KeyT, value: EncodableT, num: int = 0) -> ResponseT:
        """Remove ``num`` occurrences of ``value`` from list ``name``: from
        the head when num > 0, from the tail when num < 0, all when 0."""
        return self.execute_command('LREM', name, num, value)

    def zadd(self, name: KeyT, *args: EncodableT,
             **kwargs: Number) -> ResponseT:
        """Add members with scores to sorted set ``name``, given as
        ``name1, score1, name2, score2, ...`` (member first, unlike the Redis
        command and StrictRedis.zadd) or as ``name1=score1`` keywords."""
        if len(args) % 2 != 0:
            raise DataError("ZADD requires an equal number of "
                            "values and scores")
        # 2.10.6 sent the positional pairs reversed as a whole (the last
        # pair first), so of a member given twice the first score wins
        pieces = list(reversed(args))
        for member, score in kwargs.items():
            pieces.append(score)
            pieces.append(member)
        return self.execute_command('ZADD', name, *pieces)


class StrictPipeline(BasePipeline, StrictRedis):
    "A pipeline with StrictRedis' commands"


class Pipeline(BasePipeline, Redis):
    "A pipeline with the legacy Redis class' commands"

