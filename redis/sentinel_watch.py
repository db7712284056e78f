"""The FailoverWatcher: one daemon thread per Sentinel that follows the
sentinels' failover announcements and keeps that Sentinel's master pools
posted (see redis.sentinel, which re-exports it)."""
from __future__ import annotations

import select
import threading
import time
import weakref
from typing import TYPE_CHECKING, List, Tuple

from redis.exceptions import RedisError
from redis.forksafe import current_pid
from redis.replies import parse_sentinel_master
from redis.utils import nativestr

if TYPE_CHECKING:
    from redis.sentinel import Sentinel, SentinelConnectionPool


def state_flags(state):
    "The words of a sentinel state's 'flags' field"
    return nativestr(state.get('flags') or '').split(',')


class FailoverWatcher(object):
    """One daemon thread, subscribed to the failover events of every
    sentinel, that tells a Sentinel's master pools when a failover starts
    (they stop handing out connections), when the master switched (they
    move to the new address) and when a failover was abandoned. While one
    runs, the announcing sentinels are polled too, so a lost event cannot
    leave a pool blocked. The thread ends once none of its pools is left.
    """
    START_CHANNELS = ('+try-failover', '+elected-leader',
                      '+failover-state-select-slave')
    ABORT_CHANNELS = ('-failover-abort-not-elected',
                      '-failover-abort-no-good-slave',
                      '-failover-abort-slave-timeout')
    SWITCH_CHANNEL = '+switch-master'
    CHANNELS = START_CHANNELS + ABORT_CHANNELS + (SWITCH_CHANNEL,)
    IDLE_WAIT = 0.5       # seconds between checks that the pools still live
    FAILOVER_WAIT = 0.1   # ... and between polls while a failover runs
    RETRY_DELAY = 1.0     # before resubscribing to a sentinel that failed
    MAX_RETRY_DELAY = 10.0  # (doubling each time it fails again)
    LINK_TIMEOUT = 2.0    # socket timeouts of a subscription without any,
    # and how long a sentinel has to confirm a SUBSCRIBE. The thread never
    # waits on one sentinel's answer while others may be announcing: a
    # subscription is sent and its confirmations read as they come, like
    # events. Connecting (and polling, which has to ask) waits at most:
    ASK_TIMEOUT = 1.0

    def __init__(self, manager: Sentinel) -> None:
        self.manager = manager
        self.pools = weakref.WeakSet()
        self.pid = current_pid()
        self.lock = threading.Lock()
        self.thread = None
        self.links = {}
        # address -> [confirmations read, deadline] of subscriptions sent
        self._pending = {}
        # address -> (when to try again, the delay after that)
        self._retry_at = {}
        # set once each sentinel was tried (subscribed_to: those that took)
        self.ready = threading.Event()

    def __repr__(self) -> str:
        return '%s<subscribed=%s>' % (type(self).__name__, self.subscribed_to)

    @property
    def subscribed_to(self) -> List[Tuple[str, int]]:
        pending = self._pending
        return sorted(a for a in list(self.links) if a not in pending)

    def watch(self, pool: SentinelConnectionPool) -> None:
        "Keep ``pool`` informed; starts the thread when it is not running"
        with self.lock:
            self.pools.add(pool)
            if self.thread is None:
                self.ready.clear()
                self.links = {}
                self._pending = {}
                self._retry_at = {}
                self.thread = threading.Thread(
                    target=self._run, args=(self.links,),
                    name='redis-sentinel-watcher')
                self.thread.daemon = True
                self.thread.start()

    def _live_pools(self):
        with self.lock:
            pools = list(self.pools)
            if not pools:
                self.thread = None
            return pools

    def _run(self, links):
        retry_at = self._retry_at
        try:
            while True:
                pools = self._live_pools()
                if not pools:
                    return
                busy = [p for p in pools if p.failovers_in_progress]
                del pools
                try:
                    self._subscribe(links, retry_at)
                    wait = self.FAILOVER_WAIT if busy else self.IDLE_WAIT
                    for address, message in self._read(links, wait):
                        self._on_message(address, message)
                    self._give_up_unconfirmed(links, retry_at)
                    if not self._pending:
                        self.ready.set()
                    self._poll(busy)
                except Exception:
                    # whatever went wrong, the pools must hear about the
                    # next failover: start over in a moment
                    time.sleep(self.RETRY_DELAY)
                del busy
        finally:
            for link in links.values():
                link.disconnect()
            links.clear()
            with self.lock:
                if self.thread is threading.current_thread():
                    self.thread = None
                    for pool in list(self.pools):
                        pool.failovers_in_progress.clear()

    def _subscribe(self, links, retry_at):
        now = time.monotonic()
        for client in list(self.manager.sentinels):
            address = self.manager.address_of(client)
            if address is None or address in links \
                    or retry_at.get(address, (0, 0))[0] > now:
                continue
            link = None
            try:
                link = self._connect_to(client)
                link.send_command('SUBSCRIBE', *self.CHANNELS)
                # read only once select() says so, confirmations included
                timeout = client.connection_pool.connection_kwargs.get(
                    'socket_timeout') or self.LINK_TIMEOUT
                link.socket_timeout = timeout
                link._sock.settimeout(timeout)
                self._pending[address] = [0, now + self.LINK_TIMEOUT]
                links[address] = link
            except (RedisError, OSError, AttributeError, TypeError):
                if link is not None:
                    link.disconnect()
                self._retry_later(address, retry_at)

    def _retry_later(self, address, retry_at):
        delay = min(retry_at.get(address, (0, 0))[1] * 2 or self.RETRY_DELAY,
                    self.MAX_RETRY_DELAY)
        retry_at[address] = (time.monotonic() + delay, delay)

    def _give_up_unconfirmed(self, links, retry_at):
        "Drop the subscriptions a sentinel did not confirm in time (hung)"
        now = time.monotonic()
        for address, (count, deadline) in list(self._pending.items()):
            if now >= deadline:
                del self._pending[address]
                link = links.pop(address, None)
                if link is not None:
                    link.disconnect()
                self._retry_later(address, retry_at)

    def _confirmed(self, address):
        entry = self._pending.get(address)
        if entry is not None:
            entry[0] += 1
            if entry[0] >= len(self.CHANNELS):
                del self._pending[address]
                self._retry_at.pop(address, None)

    def _connect_to(self, client):
        "A connection of its own to the sentinel of ``client``, quick to give up"
        pool = client.connection_pool
        kwargs = dict(pool.connection_kwargs)
        for name in ('socket_timeout', 'socket_connect_timeout'):
            kwargs[name] = min(kwargs.get(name) or self.ASK_TIMEOUT,
                               self.ASK_TIMEOUT)
        link = pool.connection_class(**kwargs)
        link.connect()
        return link

    def _read(self, links, wait):
        "(sentinel address, message) pairs that arrive within ``wait``"
        ready = [a for a, link in links.items() if self._buffered(link)]
        if not ready and links:
            by_socket = dict((link._sock, a) for a, link in links.items())
            readable = select.select(list(by_socket), [], [], wait)[0]
            ready = [by_socket[sock] for sock in readable]
        elif not ready:
            time.sleep(wait)
        messages = []
        for address in ready:
            link = links[address]
            try:
                messages.append((address, link.read_response()))
                while self._buffered(link):
                    messages.append((address, link.read_response()))
            except (RedisError, OSError):
                link.disconnect()
                del links[address]
                self._pending.pop(address, None)
        return messages

    @staticmethod
    def _buffered(link):
        "True when a whole reply already waits in the link's parser"
        try:
            return link._parser.can_read()
        except (RedisError, AttributeError):
            return False

    def _on_message(self, address, message):
        try:
            if nativestr(message[0]) == 'subscribe':
                self._confirmed(address)
                return
            kind, channel, data = [nativestr(part) for part in message]
            words = data.split()
            if channel == self.SWITCH_CHANNEL:
                # <name> <old ip> <old port> <new ip> <new port>
                name, new_address = words[0], (words[3], int(words[4]))
            elif words[0] == 'master':
                # master <name> <ip> <port>
                name = words[1]
            else:
                return
        except (TypeError, ValueError, IndexError, AttributeError):
            return
        with self.lock:
            pools = [p for p in self.pools if p.service_name == name]
        for pool in pools:
            if kind != 'message':
                break
            if channel == self.SWITCH_CHANNEL:
                pool.master_switched(new_address)
            elif channel in self.START_CHANNELS:
                pool.failover_started(address)
            elif channel in self.ABORT_CHANNELS:
                pool.failover_ended(address)

    def _poll(self, busy):
        "Ask the announcing sentinels whether their failovers still run"
        for pool in busy:
            for client in list(self.manager.sentinels):
                address = self.manager.address_of(client)
                if address not in pool.failovers_in_progress:
                    continue
                link = None
                try:
                    # (a connection of its own with a short timeout: the
                    # client's may have none, and this thread must not hang)
                    link = self._connect_to(client)
                    link.send_command('SENTINEL', 'MASTER', pool.service_name)
                    state = parse_sentinel_master(link.read_response())
                except (RedisError, OSError, AttributeError, TypeError,
                        ValueError):
                    state = {}
                finally:
                    if link is not None:
                        link.disconnect()
                if 'failover_in_progress' not in state_flags(state):
                    pool.failover_ended(address)
