"""Publish/subscribe on a dedicated connection.

A PubSub holds one connection from the pool and remembers its channels and
patterns (name -> handler) so a new connection can subscribe to them again.
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
"""
import logging
import threading
import time
import weakref
from collections import deque

from redis.exceptions import (
    ConnectionError, InvalidResponse, PubSubError, TimeoutError,
)
from redis.pool import _current_pid, _pid
from redis.replies import list_or_args
from redis.utils import nativestr

logger = logging.getLogger('redis.pubsub')

_monotonic = time.monotonic

# Errors after which the connection is gone and a new one can be tried.
_CONNECTION_ERRORS = (ConnectionError, TimeoutError)
# What listen() and the worker thread retry: a corrupt reply also costs the
# connection (it is dropped), and the next read starts on a new one.
_RETRIED_ERRORS = _CONNECTION_ERRORS + (InvalidResponse,)

# The type of a message as the reader gives it (bytes, or str) -> its str
_MESSAGE_TYPES = dict(
    (key, name) for name in ('message', 'pmessage', 'subscribe', 'psubscribe',
                             'unsubscribe', 'punsubscribe', 'pong')
    for key in (name, name.encode()))


def _weak_callback(method_ref):
    def on_connect(connection):
        method = method_ref()
        if method is not None:
            method(connection)
    return on_connect


class _Backoff(object):
    "Delays between reconnect attempts: first, first*2, ... up to most"

    def __init__(self, first=0.1, most=2.0):
        self.first, self.most, self.current = first, most, None

    def __repr__(self):
        return '_Backoff<current=%s>' % self.current

    def next(self):
        self.current = self.first if self.current is None else \
            min(self.current * 2, self.most)
        return self.current

    def reset(self):
        self.current = None


class PubSub(object):
    """Subscribes to channels and patterns and reads what is published to
    them. ``ignore_subscribe_messages=True`` hides the (p)(un)subscribe
    confirmations; ``shard_hint`` goes to the pool's get_connection()."""
    PUBLISH_MESSAGE_TYPES = ('message', 'pmessage')
    UNSUBSCRIBE_MESSAGE_TYPES = ('unsubscribe', 'punsubscribe')

    def __init__(self, connection_pool, shard_hint=None,
                 ignore_subscribe_messages=False):
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
        self._readers = set()  # the parse_response() calls under way
        self._release_later = []
        self._reset_connection_state()
        self.reset()

    def __repr__(self):
        return '%s<%r,channels=%d,patterns=%d>' % (
            type(self).__name__, self.connection_pool, len(self.channels),
            len(self.patterns))

    def __del__(self):
        try:
            self.reset()  # give the connection back if close() was forgotten
        except Exception:
            pass

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.reset()

    def reset(self):
        """Return the connection to the pool (disconnected, so the server
        drops the subscriptions) and forget all channels and patterns."""
        with self._lock:
            connection = self.connection
            self.connection = None
            self.channels = {}
            self.patterns = {}
            self._forget_pending()
            if connection is not None:
                connection.disconnect()
                connection.clear_connect_callbacks()
                # While another thread is still inside a read on it, handing
                # it to the pool could let that read touch a socket the next
                # owner uses: then the last reader releases it.
                self._release_later.append(connection)
                if not self._readers:
                    self._release_deferred()

    def close(self):
        "Return the connection to the pool and forget all subscriptions"
        self.reset()

    def _forget_pending(self):
        # Unsubscribes sent but not yet confirmed; and names subscribed again
        # while such an unsubscribe was on its way, whose confirmation must
        # then not drop the new subscription.
        self.pending_unsubscribe_channels = set()
        self.pending_unsubscribe_patterns = set()
        self._resubscribed_channels = set()
        self._resubscribed_patterns = set()

    def _reset_connection_state(self):
        # PINGs awaiting their PONG (True: a health check, PONG swallowed);
        # when the last reply came; when an unanswered health check went.
        self._pings = deque()
        self._last_read = _monotonic()
        self._ping_sent_at = None

    def on_connect(self, connection):
        "Re-subscribe to any channels and patterns previously subscribed to"
        self._reset_connection_state()
        # An unsubscribe the old connection never confirmed is done now: the
        # new connection starts with no subscriptions.
        for name in self.pending_unsubscribe_channels:
            self.channels.pop(name, None)
        for name in self.pending_unsubscribe_patterns:
            self.patterns.pop(name, None)
        self._forget_pending()
        # Names go out as stored: the packer encodes str with the encoding
        # that made them, so the bytes are the user's.
        commands = [(command,) + tuple(names) for command, names in (
            ('SUBSCRIBE', self.channels), ('PSUBSCRIBE', self.patterns))
            if names]
        if commands:
            connection.send_packed_command(connection.pack_commands(commands))

    def encode(self, value):
        "The bytes ``value`` is sent as"
        return self.encoder.encode(value)

    def _normalize_keys(self, data):
        encoder = self.encoder
        return dict((encoder.decode(encoder.encode(name)), value)
                    for name, value in data.items())

    @property
    def subscribed(self):
        "True while subscribed to at least one channel or pattern"
        return bool(self.channels or self.patterns)

    # ---- the connection ------------------------------------------------

    def _get_connection(self):
        # Called with the lock held.
        connection = self.connection
        if connection is not None and connection.pid != _current_pid():
            # Forked: the socket is the parent's, and reading from it would
            # steal its messages. The child subscribes on its own connection.
            connection.disconnect()
            connection.clear_connect_callbacks()
            self.connection = connection = None
        if connection is None:
            connection = self.connection_pool.get_connection(
                'pubsub', self.shard_hint)
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

    def execute_command(self, *args):
        """Send a command on the pubsub connection (taking one from the pool
        the first time). Its reply is read by get_message()/listen().

        A send that fails on a lost connection is made again, once, on a
        new connection (subscribed again to everything first)."""
        name = nativestr(args[0]).upper() if args else ''
        with self._lock:
            connection = self._get_connection()
            for attempt in (0, 1):
                if name == 'PING':
                    # its PONG is the caller's (health-check ones are not)
                    self._pings.append(False)
                try:
                    return connection.send_command(*args)
                except _CONNECTION_ERRORS:
                    connection.disconnect()
                    if attempt:
                        raise
                    # Raises ConnectionError when the server is down; the
                    # on_connect callback re-subscribes otherwise.
                    connection.connect()

    def _check_open(self, connection):
        if self.connection is not connection:
            raise ConnectionError('The PubSub was closed.')

    def _reconnect(self, connection):
        with self._lock:
            self._check_open(connection)
            if connection._sock is None:
                connection.connect()

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

    def _wait_for_reply(self, connection, deadline):
        """The next reply (internal PONGs skipped), or None when ``deadline``
        (a monotonic time; None: no limit) passes first."""
        interval = getattr(connection, 'socket_timeout', None)
        wait = 0  # a reply already buffered needs no clock and no wait
        while True:
            try:
                ready = connection.can_read(wait)
            except (OSError, ValueError) as e:
                # the socket was closed under us (close() from elsewhere)
                connection.disconnect()
                raise ConnectionError('Error while waiting on socket: %s'
                                      % (e,))
            if ready:
                response = connection.read_response()
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

    def parse_response(self, block=True, timeout=0):
        """Read one reply from the connection: waiting for it when
        ``block``, else waiting up to ``timeout`` seconds (None: forever)
        and returning None when nothing came.

        A lost connection is replaced once, transparently (subscribed again
        to every channel and pattern); if that fails, ConnectionError (or
        TimeoutError) is raised, and the next call tries again."""
        # Registered before looking at self.connection, which reset() clears
        # before looking at the readers: so reset() either sees this read
        # (and leaves the release to it) or this read sees no connection.
        token = object()
        readers = self._readers
        readers.add(token)
        try:
            connection = self.connection
            if connection is None:
                raise RuntimeError(
                    'pubsub connection not set: '
                    'did you forget to call subscribe() or psubscribe()?')
            # _pid[0] is the pool's fork-aware cache of os.getpid()
            if connection.pid != _pid[0]:
                with self._lock:
                    connection = self._get_connection()
            deadline = None if block or timeout is None else \
                _monotonic() + timeout
            reconnected = False
            while True:
                try:
                    if connection._sock is None:
                        reconnected = True
                        self._reconnect(connection)
                    return self._wait_for_reply(connection, deadline)
                except _CONNECTION_ERRORS:
                    self._check_open(connection)
                    connection.disconnect()
                    if reconnected:
                        raise
                    reconnected = True
                    self._reconnect(connection)
        finally:
            readers.discard(token)
            if self._release_later and not readers:
                self._release_deferred()

    def _release_deferred(self):
        with self._lock:
            connections, self._release_later = self._release_later, []
            for connection in connections:
                self.connection_pool.release(connection)

    # ---- subscribing ---------------------------------------------------

    def psubscribe(self, *args, **kwargs):
        """Subscribe to patterns, given as arguments or (to have a handler
        called with each message) as ``pattern=handler`` keywords."""
        return self._subscribe('PSUBSCRIBE', self.patterns,
                               self.pending_unsubscribe_patterns,
                               self._resubscribed_patterns, args, kwargs)

    def subscribe(self, *args, **kwargs):
        """Subscribe to channels, given as arguments or (to have a handler
        called with each message) as ``channel=handler`` keywords."""
        return self._subscribe('SUBSCRIBE', self.channels,
                               self.pending_unsubscribe_channels,
                               self._resubscribed_channels, args, kwargs)

    def _subscribe(self, command, subscribed, pending, resubscribed, args,
                   kwargs):
        if args:
            args = list_or_args(args[0], args[1:])
        new_names = dict.fromkeys(args)
        new_names.update(kwargs)
        new_names = self._normalize_keys(new_names)
        with self._lock:
            result = self.execute_command(command, *new_names)
            # Remembered only once sent, so a reconnect during the send does
            # not subscribe to them twice.
            subscribed.update(new_names)
            # an unsubscribe still on its way must not drop these now
            again = pending.intersection(new_names)
            pending.difference_update(again)
            resubscribed.update(again)
        return result

    def punsubscribe(self, *args):
        "Unsubscribe from the given patterns, or from all of them"
        return self._unsubscribe('PUNSUBSCRIBE', self.patterns,
                                 self.pending_unsubscribe_patterns, args)

    def unsubscribe(self, *args):
        "Unsubscribe from the given channels, or from all of them"
        return self._unsubscribe('UNSUBSCRIBE', self.channels,
                                 self.pending_unsubscribe_channels, args)

    def _unsubscribe(self, command, subscribed, pending, args):
        if args:
            args = list_or_args(args[0], args[1:])
            names = list(self._normalize_keys(dict.fromkeys(args)))
        else:
            names = list(subscribed)
        with self._lock:
            # Marked before sending: a reader in another thread may see the
            # confirmation before execute_command returns.
            added = [name for name in names if name not in pending]
            pending.update(added)
            try:
                return self.execute_command(command, *names if args else ())
            except BaseException:
                pending.difference_update(added)
                raise

    def ping(self, message=None):
        """Ask the server for a PONG, read later as a message of type 'pong'
        (its data is ``message``, or empty)."""
        if message is None:
            return self.execute_command('PING')
        return self.execute_command('PING', message)

    # ---- reading -------------------------------------------------------

    def listen(self):
        """Yield messages as they come, for as long as something is
        subscribed. A lost connection is replaced (retrying with a delay
        growing to 2 s while the server is unreachable), never raised."""
        backoff = _Backoff()
        while self.subscribed:
            try:
                response = self.parse_response(block=True)
            except (RuntimeError,) + _RETRIED_ERRORS as e:
                if not self.subscribed:
                    return  # closed meanwhile, by another thread
                if isinstance(e, RuntimeError):
                    raise
                delay = backoff.next()
                logger.warning('PubSub connection lost (%s); reconnecting '
                               'in %.1f s', e, delay)
                time.sleep(delay)
                continue
            backoff.reset()
            message = self.handle_message(response)
            if message is not None:
                yield message

    def get_message(self, ignore_subscribe_messages=False, timeout=0):
        """The next message, or None when none came within ``timeout``
        seconds (0: do not wait; None: wait as long as it takes).

        None also when the message was passed to its handler or is a
        hidden subscribe confirmation. A lost connection is replaced
        transparently when the server answers; when it does not,
        ConnectionError (or TimeoutError) is raised to the caller, whose
        loop decides whether to call again (each call retries)."""
        response = self.parse_response(block=False, timeout=timeout)
        if response is None:
            return None
        return self.handle_message(response, ignore_subscribe_messages)

    def handle_message(self, response, ignore_subscribe_messages=False):
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
        if message_type == 'message':  # the common case first
            message = {'type': message_type, 'pattern': None,
                       'channel': response[1], 'data': response[2]}
            handler = self.channels.get(response[1])
        elif message_type == 'pmessage':
            message = {'type': message_type, 'pattern': response[1],
                       'channel': response[2], 'data': response[3]}
            handler = self.patterns.get(response[1])
        elif message_type == 'pong':
            return {'type': message_type, 'pattern': None, 'channel': None,
                    'data': response[1]}
        else:
            # a (p)(un)subscribe confirmation
            if message_type in self.UNSUBSCRIBE_MESSAGE_TYPES:
                self._confirm_unsubscribe(message_type, response[1])
            if ignore_subscribe_messages or self.ignore_subscribe_messages:
                return None
            return {'type': message_type, 'pattern': None,
                    'channel': response[1], 'data': response[2]}
        if handler:
            handler(message)
            return None
        return message

    def _confirm_unsubscribe(self, message_type, name):
        if message_type == 'punsubscribe':
            subscribed, pending, resubscribed = (
                self.patterns, self.pending_unsubscribe_patterns,
                self._resubscribed_patterns)
        else:
            subscribed, pending, resubscribed = (
                self.channels, self.pending_unsubscribe_channels,
                self._resubscribed_channels)
        if name in pending:
            pending.discard(name)
            subscribed.pop(name, None)
        elif name in resubscribed:
            # subscribed again after this unsubscribe was sent: keep it
            resubscribed.discard(name)
        else:
            subscribed.pop(name, None)

    def run_in_thread(self, sleep_time=0, daemon=False,
                      exception_handler=None):
        """Start and return a PubSubWorkerThread that reads messages and
        passes them to their handlers until its ``stop()``.

        Every channel and pattern must have a handler (PubSubError
        otherwise). ``exception_handler(exc, pubsub, thread)`` is called
        with any error the loop meets (beyond 2.10.6); without one, errors
        are logged on ``redis.pubsub``. A lost connection is retried with a
        growing delay either way; the thread ends only when stopped, when
        nothing is subscribed any more, or when exception_handler raises.
        """
        for kind, names in (('Channel', self.channels),
                            ('Pattern', self.patterns)):
            for name, handler in list(names.items()):
                if handler is None:
                    raise PubSubError("%s: '%s' has no handler registered"
                                      % (kind, nativestr(name)))
        thread = PubSubWorkerThread(self, sleep_time, daemon=daemon,
                                    exception_handler=exception_handler)
        thread.start()
        return thread


class PubSubWorkerThread(threading.Thread):
    """Reads a PubSub's messages and so calls their handlers, until
    ``stop()``; then closes the PubSub.

    ``sleep_time`` bounds each wait for a message (0: up to a second);
    messages are handled as soon as they arrive either way."""
    IDLE_WAIT = 1.0

    def __init__(self, pubsub, sleep_time, daemon=False,
                 exception_handler=None):
        super(PubSubWorkerThread, self).__init__()
        self.daemon = daemon
        self.pubsub = pubsub
        self.sleep_time = sleep_time
        self.exception_handler = exception_handler
        self._running = False
        self._stopping = threading.Event()

    def __repr__(self):
        state = 'running' if self.is_alive() else 'stopped'
        return '%s<%s,%r>' % (type(self).__name__, state, self.pubsub)

    def run(self):
        if self._running:
            return
        self._running = True
        pubsub = self.pubsub
        wait = self.sleep_time if self.sleep_time and self.sleep_time > 0 \
            else self.IDLE_WAIT
        backoff = _Backoff()
        try:
            while not self._stopping.is_set() and pubsub.subscribed:
                try:
                    pubsub.get_message(ignore_subscribe_messages=True,
                                       timeout=wait)
                except Exception as e:
                    if self._stopping.is_set() or not pubsub.subscribed:
                        break
                    if isinstance(e, _RETRIED_ERRORS):
                        delay = backoff.next()
                        self._report(e, 'PubSub connection lost (%s); '
                                     'reconnecting in %.1f s', e, delay)
                        self._stopping.wait(delay)
                    else:
                        self._report(e, 'Error in the PubSub worker thread')
                    continue
                backoff.reset()
        finally:
            pubsub.close()
            self._running = False

    def _report(self, exc, log_message, *log_args):
        if self.exception_handler is not None:
            self.exception_handler(exc, self.pubsub, self)
        elif isinstance(exc, _RETRIED_ERRORS):
            logger.warning(log_message, *log_args)
        else:
            logger.error(log_message, *log_args, exc_info=exc)

    def stop(self):
        """End the loop; the thread then closes the PubSub and exits (join()
        it to wait for that)."""
        self._stopping.set()
        pubsub = self.pubsub
        # Unsubscribing makes the server send something, which wakes a loop
        # waiting for a message at once. No reconnect for it: a loop that
        # has lost its connection is woken by the event instead.
        with pubsub._lock:
            connection = pubsub.connection
            if connection is None or connection._sock is None:
                return
            try:
                connection.send_packed_command(connection.pack_commands(
                    [('UNSUBSCRIBE',), ('PUNSUBSCRIBE',)]))
            except _CONNECTION_ERRORS:
                pass
