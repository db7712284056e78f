"""Publish/subscribe on a dedicated connection.

A PubSub holds one connection from the pool and remembers its channels,
patterns and shard channels (name -> handler) so a new connection can
subscribe to them again. On one server, shard channels (Redis 7:
SSUBSCRIBE, SPUBLISH) are channels of their own whose messages have the
type 'smessage'; redis.cluster_pubsub spreads them over a cluster's nodes.
Reading goes on across disconnections:

- ``get_message()`` reconnects (and re-subscribes) transparently when the
  server is reachable, else raises ConnectionError (TimeoutError for a
  connect timeout) for the caller's loop to decide; each call retries.
- ``listen()`` and ``run_in_thread()`` never give up: they retry with a
  delay growing from 0.1 s to 2 s, logging each failure on ``redis.pubsub``.
Messages published while the connection was down are lost, as in Redis.

With a ``socket_timeout``, silence is not an error: after ``socket_timeout``
seconds of it a PING goes out (its PONG is never shown), and only when that
goes unanswered for another ``socket_timeout`` is the connection replaced.

Subclasses see the calls 2.10.6 made: every send and read goes through
``_execute(connection, command, *args)``, subscribe() and psubscribe() send
first and then ``_normalize_keys()`` the names, a new connection's
on_connect() subscribes again through subscribe() and psubscribe() (and
ssubscribe()), and replies reach ``handle_message()`` from get_message()
and listen().

Reading is in redis.pubsub_read (PubSubReading), the worker thread and the
reconnect policy in redis.pubsub_worker.
"""
from __future__ import annotations

import threading
import time
import weakref
from types import TracebackType
from typing import Any, Dict, Iterable, Optional, Type, TypeVar, Union

from redis.connection_classes import Connection
from redis.exceptions import ConnectionError, PubSubError
from redis.forksafe import current_pid
from redis.pool import ConnectionPool
from redis.pubsub_read import PubSubReading
from redis.pubsub_worker import ExceptionHandlerT, PubSubWorkerThread
from redis.replies import list_or_args
from redis.typing import ChannelT, EncodableT, MessageHandlerT, PatternT
from redis.utils import nativestr

_monotonic = time.monotonic

_PubSubT = TypeVar('_PubSubT', bound='PubSub')


def _weak_callback(method_ref):
    def on_connect(connection):
        method = method_ref()
        if method is not None:
            method(connection)
    return on_connect


# The three kinds of subscription, each with its own books
CHANNELS, PATTERNS, SHARD_CHANNELS = 'channels', 'patterns', 'shard_channels'


class PubSub(PubSubReading):
    """Subscribes to channels, patterns and shard channels and reads what is
    published to them. ``ignore_subscribe_messages=True`` hides the
    (p|s)(un)subscribe confirmations; ``shard_hint`` goes to the pool's
    get_connection()."""
    PUBLISH_MESSAGE_TYPES = ('message', 'pmessage', 'smessage')
    UNSUBSCRIBE_MESSAGE_TYPES = ('unsubscribe', 'punsubscribe',
                                 'sunsubscribe')
    # Whether shard channels have books of their own: False for a class
    # whose channels all are shard channels (its subscribe() sends
    # SSUBSCRIBE), whose 'smessage' and 'sunsubscribe' then name channels.
    SEPARATE_SHARD_CHANNELS = True

    def __init__(self, connection_pool: ConnectionPool,
                 shard_hint: Optional[str] = None,
                 ignore_subscribe_messages: bool = False) -> None:
        self.connection_pool = connection_pool
        self.shard_hint = shard_hint
        self.ignore_subscribe_messages = ignore_subscribe_messages
        self.connection = None
        # Channel and pattern names are kept in the form the server's
        # messages will have (bytes, or str when replies are decoded), so a
        # handler is found without converting each message.
        self.encoder = connection_pool.get_encoder()
        # Guards taking, (re)connecting and writing to the connection (from
        # a worker thread and the caller's); never held while waiting.
        self._lock = threading.RLock()
        self._release_later = []
        self._resubscribing = False  # on_connect() is subscribing again
        self._sending_ping = False  # execute_command('PING') is under way
        self._init_reading()
        self.reset()

    def __repr__(self) -> str:
        return '%s<%r,channels=%d,patterns=%d,shard_channels=%d>' % (
            type(self).__name__, self.connection_pool, len(self.channels),
            len(self.patterns), len(self._shard_channels))

    def __del__(self) -> None:
        try:
            self.reset()  # give the connection back if close() was forgotten
        except Exception:
            pass

    def __enter__(self: _PubSubT) -> _PubSubT:
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]],
                 exc_value: Optional[BaseException],
                 traceback: Optional[TracebackType]) -> None:
        self.reset()

    def reset(self) -> None:
        """Return the connection to the pool (disconnected, so the server
        drops the subscriptions) and forget all channels, patterns and
        shard channels."""
        with self._lock:
            connection = self.connection
            self.connection = None
            self.channels = {}
            self.patterns = {}
            # (not through the property: a subclass may offer its own)
            self._shard_channels = {}
            self._forget_pending()
            self._epoch = object()
            self._direct = (None, False)  # (holds the connection)
            if connection is not None:
                connection.disconnect()
                connection.clear_connect_callbacks()
                # While another thread is still inside a read on it, handing
                # it to the pool could let that read touch a socket the next
                # owner uses: then the last reader releases it.
                self._release_later.append(connection)
                if not self._readers:
                    self._release_deferred()

    def close(self) -> None:
        "Return the connection to the pool and forget all subscriptions"
        self.reset()

    def _forget_pending(self):
        # Names whose last command was an unsubscribe not yet confirmed;
        # names subscribed again while unsubscribes were on their way (their
        # confirmations must not drop the new subscription); and how many
        # confirmations each of those names still has to come: the last
        # one settles it.
        self.pending_unsubscribe_channels = set()
        self.pending_unsubscribe_patterns = set()
        self.pending_unsubscribe_shard_channels = set()
        self._resubscribed_channels = set()
        self._resubscribed_patterns = set()
        self._resubscribed_shard_channels = set()
        self._unconfirmed = {CHANNELS: {}, PATTERNS: {}, SHARD_CHANNELS: {}}

    def _books(self, kind):
        # (subscribed, pending unsubscribes, subscribed again) of one kind;
        # looked up when needed: on_connect() replaces the sets
        if kind == PATTERNS:
            return (self.patterns, self.pending_unsubscribe_patterns,
                    self._resubscribed_patterns)
        if kind == SHARD_CHANNELS:
            return (self._shard_channels,
                    self.pending_unsubscribe_shard_channels,
                    self._resubscribed_shard_channels)
        return (self.channels, self.pending_unsubscribe_channels,
                self._resubscribed_channels)

    def _shard_kind(self):
        return SHARD_CHANNELS if self.SEPARATE_SHARD_CHANNELS else CHANNELS

    def _kind_of(self, message_type):
        "Which books hold the name a message of ``message_type`` carries"
        if message_type in ('pmessage', 'punsubscribe'):
            return PATTERNS
        if message_type in ('smessage', 'sunsubscribe'):
            return self._shard_kind()
        return CHANNELS

    def _reset_connection_state(self):
        # PINGs awaiting their PONG (True: a health check, PONG swallowed);
        # when the last reply came; when an unanswered health check went.
        # (Cleared, not replaced: listen() keeps a reference.)
        self._pings.clear()
        if self._sending_ping:
            # the caller's PING goes out again on this connection
            self._pings.append(False)
        self._last_read = _monotonic()
        self._ping_sent_at = None

    def on_connect(self, connection: Connection) -> None:
        """Re-subscribe to any channels, patterns and shard channels
        previously subscribed to, through subscribe(), psubscribe() (as
        2.10.6 did) and ssubscribe(): the names as str keywords, so that
        their handlers come along."""
        self._epoch = object()  # a new reader
        self._reset_connection_state()
        # An unsubscribe the old connection never confirmed is done now: the
        # new connection starts with no subscriptions.
        for kind in (CHANNELS, PATTERNS, SHARD_CHANNELS):
            subscribed, pending = self._books(kind)[:2]
            for name in pending:
                subscribed.pop(name, None)
        self._forget_pending()
        if not self.subscribed:
            return
        outer, self._resubscribing = self._resubscribing, True
        try:
            for command, again, names in (
                    ('SUBSCRIBE', self.subscribe, self.channels),
                    ('PSUBSCRIBE', self.psubscribe, self.patterns),
                    ('SSUBSCRIBE', self.ssubscribe, self._shard_channels)):
                keywords, others = self._as_keywords(names)
                if keywords:
                    again(**keywords)
                if others:
                    # Names no str stands for (bytes the encoding cannot
                    # decode), which 2.10.6 failed on: sent as they are,
                    # keeping their handlers.
                    self.execute_command(command, *others)
        finally:
            self._resubscribing = outer

    def _as_keywords(self, names):
        """({str name: handler} for the names a str keyword gives back
        unchanged, [the other names])"""
        encoder = self.encoder
        keywords, others = {}, []
        for name, handler in list(names.items()):
            try:
                keyword = encoder.decode(name, force=True)
            except UnicodeError:
                keyword = None
            if isinstance(keyword, str) and \
                    encoder.decode(encoder.encode(keyword)) == name:
                keywords[keyword] = handler
            else:
                others.append(name)
        return keywords, others

    def encode(self, value: EncodableT) -> bytes:
        "The bytes ``value`` is sent as"
        return self.encoder.encode(value)

    def _normalize_keys(self, data):
        """``data`` with its keys (channel or pattern names) in the form
        the server's messages will name them: bytes, or str when replies
        are decoded. Called by subscribe() and psubscribe() once sent."""
        encoder = self.encoder
        return dict((encoder.decode(encoder.encode(name)), value)
                    for name, value in data.items())

    def _stored_names(self, names):
        # _normalize_keys() for unsubscribes, which 2.10.6 sent without
        # calling it
        encoder = self.encoder
        return [encoder.decode(encoder.encode(name)) for name in names]

    @property
    def subscribed(self) -> bool:
        "True while subscribed to a channel, a pattern or a shard channel"
        return bool(self.channels or self.patterns or self._shard_channels)

    @property
    def shard_channels(self) -> Dict[Any, Optional[MessageHandlerT]]:
        """{shard channel: handler or None}, named as the server's messages
        name them (bytes, or str when replies are decoded)"""
        return self._shard_channels

    @shard_channels.setter
    def shard_channels(self,
                       value: Dict[Any, Optional[MessageHandlerT]]) -> None:
        self._shard_channels = value

    # ---- the connection ------------------------------------------------

    def _get_connection(self):
        # Called with the lock held.
        connection = self.connection
        if connection is not None and connection.pid != current_pid():
            # Forked: the socket is the parent's, and reading from it would
            # steal its messages. The child subscribes on its own connection.
            connection.disconnect()
            connection.clear_connect_callbacks()
            self.connection = connection = None
        if connection is None:
            connection = self.connection_pool.get_connection(
                'pubsub', self.shard_hint)
            self._epoch = object()
            self._reset_connection_state()
            # A weak reference: the pool holds the connection, which must not
            # keep an abandoned PubSub (and so itself) alive.
            connection.register_connect_callback(
                _weak_callback(weakref.WeakMethod(self.on_connect)))
            self.connection = connection
            if self.subscribed:
                # only after a fork: the subscriptions are the parent's
                connection.disconnect()
                connection.connect()
        return connection

    def execute_command(self, *args: Any, **kwargs: Any) -> None:
        """Send a command on the pubsub connection (taking one from the pool
        the first time), through ``self._execute(connection,
        connection.send_command, *args)``. Its reply is read by
        get_message()/listen(). Keyword arguments are accepted, as in
        2.10.6, and ignored.

        A send that fails on a lost connection is made again, once, on a
        new connection (subscribed again to everything first)."""
        ping = bool(args) and nativestr(args[0]).upper() == 'PING'
        with self._lock:
            connection = self._get_connection()
            if ping:
                # its PONG is the caller's (health-check ones are not)
                self._pings.append(False)
                self._sending_ping = True
            try:
                self._execute(connection, connection.send_command, *args)
            finally:
                if ping:
                    self._sending_ping = False

    def _check_open(self, connection):
        if self.connection is not connection:
            raise ConnectionError('The PubSub was closed.')

    def _reconnect(self, connection):
        with self._lock:
            self._check_open(connection)
            # (2.10.6's interface cannot tell whether a connection class of
            # the user's own is connected; its connect() does nothing then)
            if not isinstance(connection, Connection) or \
                    not connection.is_connected:
                connection.connect()

    def _release_deferred(self):
        with self._lock:
            connections, self._release_later = self._release_later, []
            for connection in connections:
                self.connection_pool.release(connection)

    # ---- subscribing ---------------------------------------------------

    def psubscribe(self, *args: Union[PatternT, Iterable[PatternT]],
                   **kwargs: Optional[MessageHandlerT]) -> None:
        """Subscribe to patterns, given as arguments or (to have a handler
        called with each message) as ``pattern=handler`` keywords."""
        return self._subscribe('PSUBSCRIBE', PATTERNS, args, kwargs)

    def subscribe(self, *args: Union[ChannelT, Iterable[ChannelT]],
                  **kwargs: Optional[MessageHandlerT]) -> None:
        """Subscribe to channels, given as arguments or (to have a handler
        called with each message) as ``channel=handler`` keywords."""
        return self._subscribe('SUBSCRIBE', CHANNELS, args, kwargs)

    def ssubscribe(self, *args: Union[ChannelT, Iterable[ChannelT]],
                   **kwargs: Optional[MessageHandlerT]) -> None:
        """Subscribe to shard channels (Redis 7), given as arguments or (to
        have a handler called with each message) as ``channel=handler``
        keywords. Their messages have the type 'smessage'."""
        return self._subscribe('SSUBSCRIBE', self._shard_kind(), args,
                               kwargs)

    def _subscribe(self, command, kind, args, kwargs):
        if args:
            args = list_or_args(args[0], args[1:])
        new_names = dict.fromkeys(args)
        new_names.update(kwargs)
        with self._lock:
            # Remembered only once sent, so a reconnect during the send does
            # not subscribe to them twice.
            result = self.execute_command(command, *new_names)
            new_names = self._normalize_keys(new_names)
            subscribed, pending, resubscribed = self._books(kind)
            subscribed.update(new_names)
            # an unsubscribe still on its way must not drop these now
            again = pending.intersection(new_names)
            pending.difference_update(again)
            resubscribed.update(again)
            self._epoch = object()
        return result

    def punsubscribe(self, *args: Union[PatternT, Iterable[PatternT]]) -> None:
        "Unsubscribe from the given patterns, or from all of them"
        return self._unsubscribe('PUNSUBSCRIBE', PATTERNS, args)

    def unsubscribe(self, *args: Union[ChannelT, Iterable[ChannelT]]) -> None:
        "Unsubscribe from the given channels, or from all of them"
        return self._unsubscribe('UNSUBSCRIBE', CHANNELS, args)

    def sunsubscribe(self, *args: Union[ChannelT, Iterable[ChannelT]]) -> None:
        "Unsubscribe from the given shard channels, or from all of them"
        return self._unsubscribe('SUNSUBSCRIBE', self._shard_kind(), args)

    def _unsubscribe(self, command, kind, args):
        if args:
            args = list_or_args(args[0], args[1:])
        with self._lock:
            subscribed, pending, resubscribed = self._books(kind)
            names = self._stored_names(args) if args else list(subscribed)
            # Marked before sending: a reader in another thread may see the
            # confirmation before execute_command returns.
            counts = self._unconfirmed[kind]
            before = [(name, name in pending, name in resubscribed)
                      for name in names]
            for name in names:
                counts[name] = counts.get(name, 0) + 1
            pending.update(names)
            resubscribed.difference_update(names)
            try:
                return self.execute_command(command, *args)
            except BaseException:
                if self._books(kind)[1] is pending:
                    # (else a new connection settled them already)
                    for name, was_pending, was_resubscribed in before:
                        if counts.get(name, 0) > 1:
                            counts[name] -= 1
                        else:
                            counts.pop(name, None)
                        if not was_pending:
                            pending.discard(name)
                        if was_resubscribed:
                            resubscribed.add(name)
                raise

    def ping(self, message: Optional[EncodableT] = None) -> None:
        """Ask the server for a PONG, read later as a message of type 'pong'
        (its data is ``message``, or empty)."""
        if message is None:
            return self.execute_command('PING')
        return self.execute_command('PING', message)

    def get_sharded_message(
            self, ignore_subscribe_messages: bool = False,
            timeout: Optional[float] = 0.0,
    ) -> Optional[Dict[str, Any]]:
        """get_message(), by the name today's redis-py gives it for shard
        channels: on one server they share the connection with the other
        subscriptions, so this is the next message of any kind."""
        return self.get_message(ignore_subscribe_messages, timeout)

    def _confirm_unsubscribe(self, message_type, name):
        kind = self._kind_of(message_type)
        subscribed, pending, resubscribed = self._books(kind)
        counts = self._unconfirmed[kind]
        left = counts.pop(name, 0) - 1
        if left > 0:
            counts[name] = left  # a later confirmation settles it
            return
        if name in resubscribed:
            # subscribed again after the last unsubscribe was sent: keep it
            resubscribed.discard(name)
        else:
            pending.discard(name)
            subscribed.pop(name, None)
        self._epoch = object()  # maybe nothing left to listen to

    def run_in_thread(
            self, sleep_time: float = 0, daemon: bool = False,
            exception_handler: Optional[ExceptionHandlerT] = None,
    ) -> PubSubWorkerThread:
        """Start and return a PubSubWorkerThread that reads messages and
        passes them to their handlers until its ``stop()``.

        Every channel, pattern and shard channel must have a handler
        (PubSubError otherwise). ``exception_handler(exc, pubsub, thread)``
        is called with any error the loop meets (beyond 2.10.6); without
        one, errors are logged on ``redis.pubsub``. A lost connection is
        retried with a growing delay either way; the thread ends only when
        stopped, when nothing is subscribed any more, or when
        exception_handler raises.
        """
        for kind, names in (('Channel', self.channels),
                            ('Pattern', self.patterns),
                            ('Shard channel', self._shard_channels)):
            for name, handler in list(names.items()):
                if handler is None:
                    raise PubSubError("%s: '%s' has no handler registered"
                                      % (kind, nativestr(name)))
        thread = PubSubWorkerThread(self, sleep_time, daemon=daemon,
                                    exception_handler=exception_handler)
        thread.start()
        return thread
