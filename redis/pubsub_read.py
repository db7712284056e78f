"""The reading half of PubSub: waiting for replies (with health checks on a
``socket_timeout``), reconnecting the reads, and turning replies into
message dicts, for get_message(), listen() and the worker thread.

Speed: once a read from the socket has brought a batch of replies, listen()
and get_message() take the rest of the batch straight from the connection's
reader -- no socket, so no lock and no reader registration. Whatever could
make that unsafe (close(), a new connection or reader, a fork, a change of
subscriptions) replaces the PubSub's ``_epoch``, which the fast path checks
per reply; a reply it does not handle itself is held for the general path.
"""
import os
import select
import time
import weakref

from redis.exceptions import ConnectionError, RedisError, TimeoutError
from redis.pool import _pid
from redis.pubsub_worker import (
    _CONNECTION_ERRORS, _RETRIED_ERRORS, _Backoff, logger,
)
from redis.utils import nativestr

_monotonic = time.monotonic

# The type of a message as the reader gives it (bytes, or str) -> its str
_MESSAGE_TYPES = dict(
    (key, name) for name in ('message', 'pmessage', 'subscribe', 'psubscribe',
                             'unsubscribe', 'punsubscribe', 'pong')
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
_POLL = getattr(select, 'poll', None)
_POLL_EVENTS = (getattr(select, 'POLLIN', 0) | getattr(select, 'POLLPRI', 0)
                | getattr(select, 'POLLERR', 0) | getattr(select, 'POLLHUP', 0))


def _readable(sock, timeout):
    "Whether ``sock`` becomes readable within ``timeout`` s (None: no limit)"
    if _POLL is None:
        return bool(select.select([sock], [], [], timeout)[0])
    poller = _POLL()  # poll(), unlike select(), takes any descriptor number
    poller.register(sock, _POLL_EVENTS)
    return bool(poller.poll(None if timeout is None else timeout * 1000.0))


class PubSubReading(object):
    """The reading half of PubSub (see redis.pubsub), on its state: the
    connection and lock, channels and patterns, ``_epoch``, ``_held`` (a
    reply a fast path took), ``_fast`` (get_message()'s cached reader),
    and the health-check clocks."""

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
        sock = connection._sock
        if sock is None:
            # Closed by another thread. Connection.can_read() would connect
            # again, and then wait for ever on a socket nobody subscribed.
            raise ConnectionError('Connection closed.')
        try:
            ready = connection._parser.can_read() or _readable(sock, wait)
        except (OSError, ValueError) as e:
            # the socket was closed under us (close() from elsewhere)
            connection.disconnect()
            raise ConnectionError('Error while waiting on socket: %s' % (e,))
        return connection.read_response() if ready else _NOTHING

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

    def listen(self):
        """Yield messages as they come, for as long as something is
        subscribed. A lost connection is replaced (retrying with a delay
        growing to 2 s while the server is unreachable), never raised."""
        backoff = _Backoff()
        cls = type(self)
        # A subclass's handle_message() or parse_response() sees every reply
        inline = cls.handle_message is PubSubReading.handle_message and \
            cls.parse_response is PubSubReading.parse_response
        pings = self._pings
        while self.subscribed:
            try:
                response = self.parse_response(block=True)
            except (RuntimeError,) + _RETRIED_ERRORS as e:
                if self._retry_listen(e, backoff):
                    continue
                return
            backoff.reset()
            message = self.handle_message(response)
            if message is not None:
                yield message
            if not inline:
                continue
            # The rest of the batch that read brought, straight from the
            # reader; until it is empty or _epoch changes.
            epoch = self._epoch
            connection = self.connection
            gets = _reader_gets(connection)
            if gets is None:
                continue
            if connection.encoder.decode_responses:
                message_word, pmessage_word = 'message', 'pmessage'
            else:
                message_word, pmessage_word = b'message', b'pmessage'
            channels, patterns = self.channels, self.patterns
            any_handlers = self._any_handlers
            failure = None
            while epoch is self._epoch:
                try:
                    response = gets()
                except Exception as e:
                    self._reader_failed(connection, gets)
                    if not isinstance(e, _RETRIED_ERRORS):
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
                    if any_handlers:
                        handler = channels.get(response[1])
                        if handler:
                            handler(message)
                            continue
                    yield message
                elif kind == pmessage_word:
                    message = {'type': 'pmessage', 'pattern': response[1],
                               'channel': response[2], 'data': response[3]}
                    if any_handlers:
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

    def get_message(self, ignore_subscribe_messages=False, timeout=0):
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
                    return self.handle_message(response,
                                               ignore_subscribe_messages)
                self._held = (fast[1].__self__, response)
            else:
                _maybe_mid_reply(self.connection)
        response = self.parse_response(block=False, timeout=timeout)
        if fast is None or fast[0] is not self._epoch:
            epoch = self._epoch  # read first: a change meanwhile shows
            connection = self.connection
            gets = _reader_gets(connection)
            self._fast = None if gets is None or type(self).parse_response \
                is not PubSubReading.parse_response else \
                (epoch, gets, connection.socket_timeout)
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
            message = {'type': 'message', 'pattern': None,
                       'channel': response[1], 'data': response[2]}
            if self._any_handlers:
                handler = self.channels.get(response[1])
                if handler:
                    handler(message)
                    return None
            return message
        if message_type == 'pmessage':
            message = {'type': 'pmessage', 'pattern': response[1],
                       'channel': response[2], 'data': response[3]}
            if self._any_handlers:
                handler = self.patterns.get(response[1])
                if handler:
                    handler(message)
                    return None
            return message
        if message_type == 'pong':
            return {'type': 'pong', 'pattern': None, 'channel': None,
                    'data': response[1]}
        # a (p)(un)subscribe confirmation
        if message_type in self.UNSUBSCRIBE_MESSAGE_TYPES:
            self._confirm_unsubscribe(message_type, response[1])
        if ignore_subscribe_messages or self.ignore_subscribe_messages:
            return None
        return {'type': message_type, 'pattern': None,
                'channel': response[1], 'data': response[2]}
