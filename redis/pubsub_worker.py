"""The reconnect policy shared by PubSub.listen() and the worker thread, and
the thread behind PubSub.run_in_thread()."""
from __future__ import annotations

import contextlib
import logging
import threading
from typing import TYPE_CHECKING, Callable, Optional

from redis.connection_classes import connection_is_open
from redis.exceptions import ConnectionError, InvalidResponse, TimeoutError

if TYPE_CHECKING:
    from redis.pubsub import PubSub

logger = logging.getLogger('redis.pubsub')

# Errors after which the connection is gone and a new one can be tried.
CONNECTION_ERRORS = (ConnectionError, TimeoutError)
# What listen() and the worker thread retry: a corrupt reply also costs the
# connection (it is dropped), and the next read starts on a new one.
RETRIED_ERRORS = CONNECTION_ERRORS + (InvalidResponse,)

#: run_in_thread()'s exception_handler: (error, pubsub, thread)
ExceptionHandlerT = Callable[[BaseException, 'PubSub', 'PubSubWorkerThread'],
                             None]


class Backoff(object):
    "Delays between reconnect attempts: first, first*2, ... up to most"

    def __init__(self, first: float = 0.1, most: float = 2.0) -> None:
        self.first, self.most, self.current = first, most, None

    def __repr__(self) -> str:
        return 'Backoff<current=%s>' % self.current

    def next(self) -> float:
        self.current = self.first if self.current is None else \
            min(self.current * 2, self.most)
        return self.current

    def reset(self) -> None:
        self.current = None


class PubSubWorkerThread(threading.Thread):
    """Reads a PubSub's messages and so calls their handlers, until
    ``stop()``; then closes the PubSub.

    ``sleep_time`` bounds each wait for a message (0: up to a second);
    messages are handled as soon as they arrive either way."""
    IDLE_WAIT = 1.0

    def __init__(self, pubsub: PubSub, sleep_time: float,
                 daemon: bool = False,
                 exception_handler: Optional[ExceptionHandlerT] = None,
                 ) -> None:
        super(PubSubWorkerThread, self).__init__()
        self.daemon = daemon
        self.pubsub = pubsub
        self.sleep_time = sleep_time
        self.exception_handler = exception_handler
        self._running = False
        self._stopping = threading.Event()

    def __repr__(self) -> str:
        state = 'running' if self.is_alive() else 'stopped'
        return '%s<%s,%r>' % (type(self).__name__, state, self.pubsub)

    def run(self) -> None:
        if self._running:
            return
        self._running = True
        pubsub = self.pubsub
        wait = self.sleep_time if self.sleep_time and self.sleep_time > 0 \
            else self.IDLE_WAIT
        backoff = Backoff()
        try:
            while not self._stopping.is_set() and pubsub.subscribed:
                try:
                    pubsub.get_message(ignore_subscribe_messages=True,
                                       timeout=wait)
                except Exception as e:
                    if self._stopping.is_set() or not pubsub.subscribed:
                        break
                    if isinstance(e, RETRIED_ERRORS):
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
        elif isinstance(exc, RETRIED_ERRORS):
            logger.warning(log_message, *log_args)
        else:
            logger.error(log_message, *log_args, exc_info=exc)

    def stop(self) -> None:
        """End the loop; the thread then closes the PubSub and exits (join()
        it to wait for that).

        As in 2.10.6 this calls the PubSub's unsubscribe() and
        punsubscribe(): the confirmations wake a loop waiting for a message.
        Only while connected, though: a loop that has lost its connection
        is woken by the stop event, and a PubSub already closed must not
        take a connection from the pool just to unsubscribe it."""
        self._stopping.set()
        pubsub = self.pubsub
        with getattr(pubsub, '_lock', None) or contextlib.nullcontext():
            connection = getattr(pubsub, 'connection', None)
            if connection is None or \
                    not connection_is_open(connection, unknown=True):
                return
            try:
                pubsub.unsubscribe()
                pubsub.punsubscribe()
            except CONNECTION_ERRORS:
                pass  # the loop ends on the stop event all the same
