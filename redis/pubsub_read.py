"""The reading half of PubSub: waiting for replies (with health checks on a
``socket_timeout``), reconnecting the reads, and turning replies into
message dicts, for get_message(), listen() and the worker thread; and
``_execute()``, through which every send and read of 2.10.6's goes.

Speed: once a read from the socket has brought a batch of replies, listen()
and get_message() take the rest of the batch straight from the connection's
reader -- no socket, so no lock and no reader registration. Whatever could
make that unsafe (close(), a new connection or reader, a fork, a change of
subscriptions) replaces the PubSub's ``_epoch``, which the fast path checks
per reply; a reply it does not handle itself is held for the general path.
The fast paths build 'message' and 'pmessage' dicts themselves and leave
every other reply (an 'smessage' too) to handle_message(). A subclass that
overrides parse_response(), _execute() or handle_message() (or makes
'message' or 'pmessage' no publish message type, or an unsubscribe one)
gets no fast path: it sees every reply at the calls 2.10.6 made. Nor does a
connection that is not this package's own, or whose class or parser's class
overrides read_response() or can_read(): 2.10.6 passed every reply through
them.
"""
from __future__ import annotations

import os
import threading
import time
import weakref
from collections import deque
from typing import Any, Dict, Iterator, Optional

from redis.connection_classes import Connection, is_socket_readable
from redis.exceptions import ConnectionError, RedisError, TimeoutError
from redis.forksafe import current_pid
from redis.parsers import SocketParser
from redis.resend import READ, may_resend
from redis.pubsub_worker import (
    CONNECTION_ERRORS, RETRIED_ERRORS, Backoff, logger,
)
from redis.utils import nativestr

_monotonic = time.monotonic

# The type of a message as the reader gives it (bytes, or str) -> its str
_MESSAGE_TYPES = dict(
    (key, name) for name in ('message', 'pmessage', 'smessage', 'subscribe',
                             'psubscribe', 'ssubscribe', 'unsubscribe',
                             'punsubscribe', 'sunsubscribe', 'pong')
    for key in (name, name.encode()))


# Every PubSub, so that a forked child can invalidate their fast paths: the
# replies a parent had buffered are the parent's to deliver.
_instances = weakref.WeakSet()


def _after_fork_in_child():
    for pubsub in list(_instances):
        pubsub._epoch = object()
        pubsub._held = None


if hasattr(os, 'register_at_fork'):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _reader_gets(connection):
    """The ``gets`` of the connection's reader when replies can be taken
    from it directly: None when disconnected, or when the parser holds a
    reply back (from can_read()) that must come first."""
    parser = getattr(connection, '_parser', None)
    reader = getattr(parser, '_reader', None)
    if reader is None or \
            getattr(parser, '_next_response', False) is not False:
        return None
    return reader.gets


def _reader_of(connection):
    "The connection's reply reader (None when disconnected)"
    return getattr(getattr(connection, '_parser', None), '_reader', None)


def _maybe_mid_reply(connection):
    # A fast path's gets() said False: the reader may hold the start of a
    # reply (an array begun) with nothing left buffered, so the parser's
    # next socket read does not start a reply (see SocketParser._boundary).
    try:
        connection._parser._boundary = False
    except AttributeError:
        pass  # disconnected meanwhile, or a parser of the user's own


_NOTHING = object()
_BASE_CAN_READ = Connection.can_read
_BASE_READ_RESPONSE = Connection.read_response


def _reads_directly(connection):
    """Whether the fast paths may take replies from the reader of
    ``connection`` without calling its read_response(): one of this
    package's connection classes and parsers, whose methods on the way
    (read_response, can_read) none of the two classes overrides."""
    if not isinstance(connection, Connection):
        return False
    cls, parser_cls = type(connection), type(connection._parser)
    return cls.read_response is _BASE_READ_RESPONSE and \
        cls.can_read is _BASE_CAN_READ and \
        parser_cls.read_response is SocketParser.read_response and \
        parser_cls.can_read is SocketParser.can_read


def _reply_ready(connection, wait):
    """Whether a reply can be read from ``connection`` within ``wait``
    seconds (None: no limit). ConnectionError when it is disconnected:
    Connection.can_read() would connect again, and then wait for ever on a
    socket nobody subscribed."""
    if not isinstance(connection, Connection):
        # 2.10.6's interface has no way to ask whether it is connected; its
        # can_read() connects when it is not (the connect callback then
        # subscribes again). With no limit, 2.10.6 went straight to
        # read_response(), which blocks: classes written for it may not
        # take can_read(timeout=None).
        return wait is None or connection.can_read(timeout=wait)
    sock = connection._sock
    if sock is None:
        raise ConnectionError('Connection closed.')
    if type(connection).can_read is not _BASE_CAN_READ:
        # a connection class of the user's own decides, as in 2.10.6
        return wait is None or connection.can_read(timeout=wait)
    try:
        return connection._parser.can_read() or \
            is_socket_readable(sock, wait)
    except (OSError, ValueError) as e:
        # the socket was closed under us (close() from elsewhere)
        connection.disconnect()
        raise ConnectionError('Error while waiting on socket: %s' % (e,))


class _ReadState(object):
    """What the parse_response() under way in a thread tells _execute():
    the caller's deadline, whether the connection was replaced already, and
    whether a read through _execute() failed (that error is final)."""
    __slots__ = ('deadline', 'reconnected', 'read_failed')

    def __init__(self, deadline):
        self.deadline = deadline
        self.reconnected = False
        self.read_failed = False

    def __repr__(self):
        return '_ReadState<deadline=%s,reconnected=%s,read_failed=%s>' % (
            self.deadline, self.reconnected, self.read_failed)


class _NoReplyYet(Exception):
    """From _execute() inside parse_response(): the connection was replaced
    and the caller's timeout passed before its first reply came."""


def _plain_reads(cls):
    "Whether ``cls`` overrides a method every reply must go through"
    return cls.parse_response is not PubSubReading.parse_response or \
        cls._execute is not PubSubReading._execute


def _inline_words(pubsub, connection):
    """('message', 'pmessage') as the connection's reader gives them, when
    the fast paths may turn such replies into messages without calling
    handle_message(); else (None, None)."""
    cls = type(pubsub)
    published, unsubscribed = cls.PUBLISH_MESSAGE_TYPES, \
        cls.UNSUBSCRIBE_MESSAGE_TYPES
    if cls.handle_message is not PubSubReading.handle_message or \
            _plain_reads(cls) or \
            'message' not in published or 'pmessage' not in published or \
            'message' in unsubscribed or 'pmessage' in unsubscribed:
        return None, None
    if connection.encoder.decode_responses:
        return 'message', 'pmessage'
    return b'message', b'pmessage'


class PubSubReading(object):
    """The reading half of PubSub (see redis.pubsub), on its state: the
    connection and lock, the books of channels, patterns and shard channels
    (``_books(kind)``, ``_kind_of(message type)``), ``_epoch``, ``_held`` (a
    reply a fast path took), ``_fast`` (get_message()'s cached reader),
    and the health-check clocks."""

    def _init_reading(self):
        self._readers = set()  # the parse_response() calls under way
        self._local = threading.local()  # .state: this thread's _ReadState
        self._pings = deque()
        self._epoch = object()
        # (connection, whether _reads_directly() it): decided once for each
        self._direct = (None, False)
        # (epoch, reader's gets, socket_timeout, 'message' as the reader
        # gives it when get_message() may build such messages itself)
        self._fast = None
        # (reader, reply): a reply a fast path took from that reader and
        # left for the general path
        self._held = None
        self._reset_connection_state()
        _instances.add(self)

    def _direct_gets(self, connection):
        """The fast paths' ``gets`` for ``connection`` (see _reader_gets),
        or None when they may not read from it (see _reads_directly)"""
        direct = self._direct
        if direct[0] is not connection:
            direct = self._direct = (connection, _reads_directly(connection))
        return _reader_gets(connection) if direct[1] else None

    def _send_health_check(self, connection):
        with self._lock:
            self._check_open(connection)
            self._pings.append(True)
            self._ping_sent_at = _monotonic()
            connection.send_command('PING')

    @staticmethod
    def _is_pong(response):
        # Outside subscribed mode a PING gets a plain reply (+PONG, or its
        # message as a bulk string), the only plain reply a PubSub expects.
        if isinstance(response, list):
            return bool(response) and nativestr(response[0]) == 'pong'
        return not isinstance(response, Exception)

    def _next_reply(self, connection, wait):
        """A reply a fast path took and left, else the connection's next
        reply when one comes within ``wait`` seconds (None: no limit), else
        _NOTHING."""
        held = self._held
        if held is not None:
            self._held = None
            # Still due while the reader that produced it is the
            # connection's: a change of subscriptions meanwhile does not
            # make it any less a reply that came (a new connection does).
            if held[0] is _reader_of(connection):
                if isinstance(held[1], RedisError):
                    raise held[1]  # as read_response() would have
                return held[1]
        if not _reply_ready(connection, wait):
            return _NOTHING
        try:
            return self._execute(connection, connection.read_response)
        except CONNECTION_ERRORS:
            state = getattr(self._local, 'state', None)
            if state is not None:
                state.read_failed = True  # _execute() had its one retry
            raise

    def _wait_for_reply(self, connection, deadline):
        """The next reply (internal PONGs skipped), or None when ``deadline``
        (a monotonic time; None: no limit) passes first."""
        interval = getattr(connection, 'socket_timeout', None)
        wait = 0  # a reply already buffered needs no clock and no wait
        while True:
            response = self._next_reply(connection, wait)
            if response is not _NOTHING:
                if interval:
                    self._last_read = _monotonic()
                    self._ping_sent_at = None
                if self._pings and self._is_pong(response) and \
                        self._pings.popleft():
                    wait = 0
                    continue
                return response
            now = _monotonic()
            if interval:
                if self._ping_sent_at is not None:
                    if now >= self._ping_sent_at + interval:
                        connection.disconnect()
                        raise TimeoutError(
                            'No reply to a PING within socket_timeout (%ss)'
                            % interval)
                elif now >= self._last_read + interval:
                    self._send_health_check(connection)
            if deadline is not None and now >= deadline:
                return None
            wait = None if deadline is None else deadline - now
            if interval:
                due = (self._ping_sent_at or self._last_read) + interval
                wait = due - now if wait is None else min(wait, due - now)
                wait = max(0.0, wait)

    def _execute(self, connection, command, *args):
        """Call ``command(*args)`` -- a send or a read on ``connection``,
        such as ``connection.send_command`` or ``connection.read_response``
        -- and return what it returns.

        When that fails on a lost connection (ConnectionError, or a
        TimeoutError with the connection's ``retry_on_timeout``), the
        connection is connected again, which subscribes it again to every
        channel and pattern, and ``command(*args)`` is called once more. A
        send that failed never reached the server whole, so sending it
        again cannot run a command twice. A read made again this way reads
        the new connection's first reply; inside get_message() it waits no
        longer than the caller's timeout. No reconnect for a PubSub closed
        meanwhile, nor from within the re-subscribing itself."""
        try:
            return command(*args)
        except CONNECTION_ERRORS as e:
            connection.disconnect()
            # (subscribing twice is harmless, and a read is only a read)
            if not may_resend(e, READ, connection, idempotent=True):
                raise
            state = getattr(self._local, 'state', None)
            if self._resubscribing or (state is not None and
                                       state.reconnected):
                raise
            self._reconnect(connection)
            if state is None:
                return command(*args)
            state.reconnected = True
            if state.deadline is not None and \
                    command == connection.read_response and \
                    not _reply_ready(connection, max(
                        0.0, state.deadline - _monotonic())):
                raise _NoReplyYet()
            return command(*args)

    def parse_response(self, block: bool = True,
                       timeout: Optional[float] = 0) -> Any:
        """Read one reply from the connection: waiting for it when
        ``block``, else waiting up to ``timeout`` seconds (None: forever)
        and returning None when nothing came. The read itself goes through
        ``self._execute(connection, connection.read_response)``.

        A lost connection is replaced once, transparently (subscribed again
        to every channel and pattern); if that fails, ConnectionError (or
        TimeoutError) is raised, and the next call tries again."""
        # Registered before looking at self.connection, which reset() clears
        # before looking at the readers: so reset() either sees this read
        # (and leaves the release to it) or this read sees no connection.
        token = object()
        readers = self._readers
        readers.add(token)
        local = self._local
        outer = getattr(local, 'state', None)  # a parse_response() re-entered
        try:
            connection = self.connection
            if connection is None:
                raise RuntimeError(
                    'pubsub connection not set: '
                    'did you forget to call subscribe() or psubscribe()?')
            if connection.pid != current_pid():
                with self._lock:
                    connection = self._get_connection()
            deadline = None if block or timeout is None else \
                _monotonic() + timeout
            state = local.state = _ReadState(deadline)
            while True:
                try:
                    if isinstance(connection, Connection) and \
                            not connection.is_connected:
                        state.reconnected = True
                        self._reconnect(connection)
                    return self._wait_for_reply(connection, deadline)
                except _NoReplyYet:
                    return None
                except CONNECTION_ERRORS:
                    # (a lost connection found outside _execute(): the
                    # socket closed meanwhile, an unanswered health check)
                    self._check_open(connection)
                    connection.disconnect()
                    if state.reconnected or state.read_failed:
                        raise
                    state.reconnected = True
                    self._reconnect(connection)
        finally:
            local.state = outer
            readers.discard(token)
            if self._release_later and not readers:
                self._release_deferred()

    def listen(self) -> Iterator[Dict[str, Any]]:
        """Yield messages as they come, for as long as something is
        subscribed. A lost connection is replaced (retrying with a delay
        growing to 2 s while the server is unreachable), never raised."""
        backoff = Backoff()
        pings = self._pings
        while self.subscribed:
            try:
                response = self.parse_response(block=True)
            except (RuntimeError,) + RETRIED_ERRORS as e:
                if self._retry_listen(e, backoff):
                    continue
                return
            backoff.reset()
            message = self.handle_message(response)
            if message is not None:
                yield message
            # The rest of the batch that read brought, straight from the
            # reader; until it is empty or _epoch changes. (A subclass's
            # handle_message(), parse_response() or _execute() sees every
            # reply instead.)
            epoch = self._epoch
            connection = self.connection
            gets = self._direct_gets(connection)
            if gets is None:
                continue
            message_word, pmessage_word = _inline_words(self, connection)
            if message_word is None:
                continue
            channels, patterns = self.channels, self.patterns
            failure = None
            while epoch is self._epoch:
                try:
                    response = gets()
                except Exception as e:
                    self._reader_failed(connection, gets)
                    if not isinstance(e, RETRIED_ERRORS):
                        raise
                    failure = e
                    break
                if response is False:
                    _maybe_mid_reply(connection)
                    if connection.socket_timeout:
                        self._last_read = _monotonic()
                    break
                if response.__class__ is not list or pings:
                    # an error, a PONG: the general path's
                    self._held = (gets.__self__, response)
                    break
                kind = response[0]
                if kind == message_word:
                    message = {'type': 'message', 'pattern': None,
                               'channel': response[1], 'data': response[2]}
                    handler = channels.get(response[1])
                    if handler:
                        handler(message)
                        continue
                    yield message
                elif kind == pmessage_word:
                    message = {'type': 'pmessage', 'pattern': response[1],
                               'channel': response[2], 'data': response[3]}
                    handler = patterns.get(response[1])
                    if handler:
                        handler(message)
                        continue
                    yield message
                else:
                    message = self.handle_message(response)
                    if message is not None:
                        yield message
            if failure is not None and not self._retry_listen(failure,
                                                              backoff):
                return

    def _retry_listen(self, error, backoff):
        """After listen() met ``error``: False to end (closed meanwhile), True
        once the delay before the next attempt is over. Raises RuntimeError
        (nothing was ever subscribed)."""
        if not self.subscribed:
            return False  # closed meanwhile, by another thread
        if isinstance(error, RuntimeError):
            raise error
        delay = backoff.next()
        logger.warning('PubSub connection lost (%s); reconnecting in %.1f s',
                       error, delay)
        time.sleep(delay)
        return True

    def _reader_failed(self, connection, gets):
        # A corrupt stream: as read_response() does, drop the connection --
        # if the reader is still its, and the connection still ours -- and
        # the fast paths' hold on that reader.
        with self._lock:
            if self.connection is connection and \
                    _reader_gets(connection) == gets:
                connection.disconnect()
            self._epoch = object()

    def get_message(self, ignore_subscribe_messages: bool = False,
                    timeout: Optional[float] = 0,
                    ) -> Optional[Dict[str, Any]]:
        """The next message, or None when none came within ``timeout``
        seconds (0: do not wait; None: wait as long as it takes).

        None also when the message was passed to its handler or is a
        hidden subscribe confirmation. A lost connection is replaced
        transparently when the server answers; when it does not,
        ConnectionError (or TimeoutError) is raised to the caller, whose
        loop decides whether to call again (each call retries)."""
        fast = self._fast
        if fast is not None and fast[0] is self._epoch and \
                self._held is None:
            # a reply already received, straight from the reader
            try:
                response = fast[1]()
            except Exception:
                self._reader_failed(self.connection, fast[1])
                raise
            if response is not False:
                if response.__class__ is list and not self._pings:
                    if fast[2]:
                        self._last_read = _monotonic()
                    if response[0] == fast[3]:  # a published message
                        message = {'type': 'message', 'pattern': None,
                                   'channel': response[1],
                                   'data': response[2]}
                        handler = self.channels.get(response[1])
                        if handler:
                            handler(message)
                            return None
                        return message
                    return self.handle_message(response,
                                               ignore_subscribe_messages)
                self._held = (fast[1].__self__, response)
            else:
                _maybe_mid_reply(self.connection)
        response = self.parse_response(block=False, timeout=timeout)
        if fast is None or fast[0] is not self._epoch:
            epoch = self._epoch  # read first: a change meanwhile shows
            connection = self.connection
            gets = self._direct_gets(connection)
            self._fast = None if gets is None or \
                _plain_reads(type(self)) else \
                (epoch, gets, connection.socket_timeout,
                 _inline_words(self, connection)[0])
        if response is None:
            return None
        return self.handle_message(response, ignore_subscribe_messages)

    def handle_message(
            self, response: Any, ignore_subscribe_messages: bool = False,
    ) -> Optional[Dict[str, Any]]:
        """Turn a reply into a message dict (type, pattern, channel, data);
        a published message with a handler is passed to it instead and None
        is returned, as for a hidden subscribe confirmation."""
        if not isinstance(response, list):
            # a PING answered outside subscribed mode: +PONG or the message
            if isinstance(response, (bytes, str)) and \
                    nativestr(response) == 'PONG':
                response = response[:0]
            return {'type': 'pong', 'pattern': None, 'channel': None,
                    'data': response}
        message_type = _MESSAGE_TYPES.get(response[0]) or \
            nativestr(response[0])
        if message_type == 'pmessage':
            message = {'type': 'pmessage', 'pattern': response[1],
                       'channel': response[2], 'data': response[3]}
        elif message_type == 'pong':
            # (2.10.6 failed on these two-element replies)
            return {'type': 'pong', 'pattern': None, 'channel': None,
                    'data': response[1]}
        else:
            message = {'type': message_type, 'pattern': None,
                       'channel': response[1], 'data': response[2]}
        if message_type in self.UNSUBSCRIBE_MESSAGE_TYPES:
            self._confirm_unsubscribe(message_type, response[1])
        if message_type in self.PUBLISH_MESSAGE_TYPES:
            if message_type == 'message':
                handler = self.channels.get(response[1])
            else:
                handler = self._books(self._kind_of(message_type))[0].get(
                    response[1])
            if handler:
                handler(message)
                return None
            return message
        # a (p|s)(un)subscribe confirmation
        if ignore_subscribe_messages or self.ignore_subscribe_messages:
            return None
        return message
