"""Distributed locks on a Redis key: ``Lock`` (WATCH/MULTI transactions)
and ``LuaLock`` (Lua scripts, atomic on the server).

The key holds a random token of the owner, so only the owner can release
or extend the lock; a timeout makes the key expire if its owner dies.
"""
from __future__ import annotations

import threading
import time as mod_time
import uuid
from types import TracebackType
from typing import TYPE_CHECKING, Any, Optional, Type, TypeVar, Union

from redis.exceptions import DataError, LockError, WatchError
from redis.typing import KeyT, Number
from redis.utils import b, dummy

if TYPE_CHECKING:
    from redis.client import StrictRedis
    from redis.cluster import RedisCluster

_LockT = TypeVar('_LockT', bound='Lock')


class _ThreadToken(threading.local):
    # every thread starts with no token, not just the one that made the lock
    token = None

    def __repr__(self):
        return '%s<held=%s>' % (type(self).__name__, self.token is not None)


class _SharedToken(dummy):
    "One token for all threads (thread_local=False; 2.10.6 used a dummy)"
    token = None

    def __repr__(self):
        return '%s<held=%s>' % (type(self).__name__, self.token is not None)


class Lock(object):
    """A lock shared by every process that can reach the Redis server.

    Like threading.Lock it has acquire() and release() and works as a
    ``with`` block; unlike it, nothing prevents deadlocks between clients,
    and a ``timeout`` lets the server free a lock whose owner vanished.
    """

    def __init__(self, redis: Union[StrictRedis, RedisCluster], name: KeyT,
                 timeout: Optional[Number] = None, sleep: Number = 0.1,
                 blocking: bool = True,
                 blocking_timeout: Optional[Number] = None,
                 thread_local: bool = True) -> None:
        """
        A lock on the key ``name`` through the client ``redis``.

        ``timeout``: seconds (int or float) after which the server frees
        the lock even if release() was never called. None (or 0, as in
        2.10.6) keeps it until release(); a negative one raises DataError.

        ``sleep``: seconds to wait between two tries while another client
        holds the lock.

        ``blocking``: whether acquire() waits for the lock (the default) or
        returns False at once when it is taken; acquire()'s own argument
        overrides it.

        ``blocking_timeout``: the most seconds acquire() keeps trying (int
        or float); None tries forever.

        ``thread_local``: keep the owner's token per thread (the default),
        so a thread can only release or extend a lock it acquired itself:
        if thread A's lock expired and thread B then took it through the
        same Lock object, A's late release() must fail rather than free
        B's lock. Turn it off when one thread acquires and another
        releases.
        """
        self.redis = redis
        self.name = name
        self.timeout = timeout
        self.sleep = sleep
        self.blocking = blocking
        self.blocking_timeout = blocking_timeout
        self.thread_local = bool(thread_local)
        self.local = _ThreadToken() if self.thread_local else _SharedToken()
        self.local.token = None
        if self.timeout and self.sleep > self.timeout:
            raise LockError("'sleep' must be less than 'timeout'")
        # (after 2.10.6's own check, so a negative timeout raises what it
        # raised there whenever it did; the server would refuse PX < 0)
        if timeout is not None and timeout < 0:
            raise DataError("'timeout' must be a positive number")

    def __repr__(self) -> str:
        return '%s<name=%r,timeout=%r,owned=%s>' % (
            type(self).__name__, self.name, self.timeout,
            self.local.token is not None)

    def __enter__(self: _LockT) -> _LockT:
        # Block: the body must not run without the lock. 2.10.6 entered the
        # block anyway when a blocking_timeout ran out; this raises instead.
        if self.acquire(blocking=True):
            return self
        raise LockError("Unable to acquire lock within the time specified")

    def __exit__(self, exc_type: Optional[Type[BaseException]],
                 exc_value: Optional[BaseException],
                 traceback: Optional[TracebackType]) -> None:
        self.release()

    def _timeout_ms(self):
        "The lock's lifetime in whole milliseconds, or None for none"
        if not self.timeout:
            return None
        # a tiny positive timeout must not turn into "no timeout"
        return max(1, int(self.timeout * 1000))

    def acquire(self, blocking: Optional[bool] = None,
                blocking_timeout: Optional[Number] = None) -> bool:
        """Take the lock; True once it is held.

        ``blocking`` False tries once and returns False if the lock is
        taken; otherwise tries every ``sleep`` seconds, for at most
        ``blocking_timeout`` seconds when that is given (False when it ran
        out). Both default to the values given to the constructor.
        """
        sleep = self.sleep
        token = b(uuid.uuid1().hex)
        if blocking is None:
            blocking = self.blocking
        if blocking_timeout is None:
            blocking_timeout = self.blocking_timeout
        stop_trying_at = None
        if blocking_timeout is not None:
            stop_trying_at = mod_time.time() + blocking_timeout
        while True:
            if self.do_acquire(token):
                self.local.token = token
                return True
            if not blocking:
                return False
            if stop_trying_at is not None and \
                    mod_time.time() > stop_trying_at:
                return False
            mod_time.sleep(sleep)

    def do_acquire(self, token: bytes) -> bool:
        # one SET NX PX: the key never exists without its expiry
        return bool(self.redis.set(self.name, token, nx=True,
                                   px=self._timeout_ms()))

    def _owns(self, value, token):
        # a decode_responses client reads the token back as str
        if isinstance(value, str):
            value = value.encode()
        return value == token

    def release(self) -> None:
        """Free the lock; LockError if this thread does not hold it (or no
        longer does: it expired and someone else took it)."""
        expected_token = self.local.token
        if expected_token is None:
            raise LockError("Cannot release an unlocked lock")
        self.local.token = None
        self.do_release(expected_token)

    def do_release(self, expected_token: bytes) -> None:
        name = self.name

        def execute_release(pipe):
            lock_value = pipe.get(name)
            if not self._owns(lock_value, expected_token):
                raise LockError("Cannot release a lock that's no longer "
                                "owned")
            pipe.multi()
            pipe.delete(name)

        self.redis.transaction(execute_release, name)

    def extend(self, additional_time: Number) -> bool:
        """Push the lock's expiry ``additional_time`` seconds (int or
        float) further; True, or LockError if the lock is not held or has
        no timeout."""
        if self.local.token is None:
            raise LockError("Cannot extend an unlocked lock")
        if self.timeout is None:
            raise LockError("Cannot extend a lock with no timeout")
        return self.do_extend(additional_time)

    def do_extend(self, additional_time: Number) -> bool:
        name = self.name
        with self.redis.pipeline() as pipe:
            pipe.watch(name)
            if not self._owns(pipe.get(name), self.local.token):
                raise LockError("Cannot extend a lock that's no longer owned")
            expiration = pipe.pttl(name)
            if expiration is None or expiration < 0:
                # the key expired since the GET (or has no expiry): PEXPIRE
                # below fails on a missing key
                expiration = 0
            pipe.multi()
            pipe.pexpire(name, expiration + int(additional_time * 1000))
            try:
                response = pipe.execute()
            except WatchError:
                # the key changed after our GET: another owner now
                raise LockError("Cannot extend a lock that's no longer owned")
        if not response[0]:
            # PEXPIRE returns 0 when the key no longer exists
            raise LockError("Cannot extend a lock that's no longer owned")
        return True


class LuaLock(Lock):
    """The same lock, with acquire, release and extend each done by one
    Lua script: atomic on the server, one round trip, no WATCH retries."""
    lua_acquire = None
    lua_release = None
    lua_extend = None

    # KEYS[1] lock name, ARGV[1] token, ARGV[2] lifetime in ms or ''.
    # Returns 1 when acquired, else 0.
    LUA_ACQUIRE_SCRIPT = """
        local taken
        if ARGV[2] == '' then
            taken = redis.call('set', KEYS[1], ARGV[1], 'NX')
        else
            taken = redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
        end
        if taken then
            return 1
        end
        return 0
    """

    # KEYS[1] lock name, ARGV[1] token. Returns 1 when released, else 0.
    LUA_RELEASE_SCRIPT = """
        if redis.call('get', KEYS[1]) ~= ARGV[1] then
            return 0
        end
        redis.call('del', KEYS[1])
        return 1
    """

    # KEYS[1] lock name, ARGV[1] token, ARGV[2] extra ms.
    # Returns 1 when extended, else 0.
    LUA_EXTEND_SCRIPT = """
        if redis.call('get', KEYS[1]) ~= ARGV[1] then
            return 0
        end
        local remaining = redis.call('pttl', KEYS[1])
        if remaining < 0 then
            return 0
        end
        redis.call('pexpire', KEYS[1], remaining + ARGV[2])
        return 1
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super(LuaLock, self).__init__(*args, **kwargs)
        LuaLock.register_scripts(self.redis)

    @classmethod
    def register_scripts(cls,
                         redis: Union[StrictRedis, RedisCluster]) -> None:
        """Create the class's Script objects once; their SHA1 is computed
        locally, and each call loads the script where it is missing."""
        if cls.lua_acquire is None:
            cls.lua_acquire = redis.register_script(cls.LUA_ACQUIRE_SCRIPT)
        if cls.lua_release is None:
            cls.lua_release = redis.register_script(cls.LUA_RELEASE_SCRIPT)
        if cls.lua_extend is None:
            cls.lua_extend = redis.register_script(cls.LUA_EXTEND_SCRIPT)

    def do_acquire(self, token: bytes) -> bool:
        timeout = self._timeout_ms()
        return bool(self.lua_acquire(keys=[self.name],
                                     args=[token, timeout or ''],
                                     client=self.redis))

    def do_release(self, expected_token: bytes) -> None:
        if not self.lua_release(keys=[self.name], args=[expected_token],
                                client=self.redis):
            raise LockError("Cannot release a lock that's no longer owned")

    def do_extend(self, additional_time: Number) -> bool:
        additional_time = int(additional_time * 1000)
        if not self.lua_extend(keys=[self.name],
                               args=[self.local.token, additional_time],
                               client=self.redis):
            raise LockError("Cannot extend a lock that's no longer owned")
        return True
