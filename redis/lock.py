"""Distributed locks on a Redis key: ``Lock`` (WATCH/MULTI transactions)
and ``LuaLock`` (Lua scripts, atomic on the server).

The key holds a random token of the owner, so only the owner can release
or extend the lock; a timeout makes the key expire if its owner dies.
"""
import threading
import time as mod_time
import uuid

from redis.exceptions import DataError, LockError, WatchError


class _ThreadToken(threading.local):
    # every thread starts with no token, not just the one that made the lock
    token = None


class _SharedToken(object):
    "One token for all threads (thread_local=False)"
    token = None


class Lock(object):
    """
    A shared, distributed Lock. Using Redis for locking allows the Lock
    to be shared across processes and/or machines.

    It's left to the user to resolve deadlock issues and make sure
    multiple clients play nicely together.
    """

    def __init__(self, redis, name, timeout=None, sleep=0.1,
                 blocking=True, blocking_timeout=None, thread_local=True):
        """
        Create a new Lock instance named ``name`` using the Redis client
        supplied by ``redis``.

        ``timeout`` indicates a maximum life for the lock, in seconds (an
        int or a float). By default (None, or 0 as in 2.10.6), it will
        remain locked until release() is called. A negative timeout raises
        DataError.

        ``sleep`` indicates the amount of time to sleep per loop iteration
        when the lock is in blocking mode and another client is currently
        holding the lock.

        ``blocking`` indicates whether calling ``acquire`` should block until
        the lock has been acquired or to fail immediately, causing
        ``acquire`` to return False and the lock not being acquired. Defaults
        to True. Note this value can be overridden by passing a ``blocking``
        argument to ``acquire``.

        ``blocking_timeout`` indicates the maximum amount of time in seconds
        to spend trying to acquire the lock. A value of ``None`` indicates
        continue trying forever. ``blocking_timeout`` can be specified as a
        float or integer, both representing the number of seconds to wait.

        ``thread_local`` indicates whether the lock token is placed in
        thread-local storage. By default, the token is placed in thread
        local storage so that a thread only sees its token, not a token set
        by another thread: if thread-1's lock expires and thread-2 acquires
        it through the same Lock object, thread-1's release() must not free
        thread-2's lock. Disable it when one thread acquires the lock and
        another one releases it.
        """
        if timeout is not None and timeout < 0:
            raise DataError("'timeout' must be a positive number")
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

    def __repr__(self):
        return '%s<name=%r,timeout=%r,owned=%s>' % (
            type(self).__name__, self.name, self.timeout,
            self.local.token is not None)

    def __enter__(self):
        # Block: the body must not run without the lock. 2.10.6 entered the
        # block anyway when a blocking_timeout ran out; this raises instead.
        if self.acquire(blocking=True):
            return self
        raise LockError("Unable to acquire lock within the time specified")

    def __exit__(self, exc_type, exc_value, traceback):
        self.release()

    def _timeout_ms(self):
        "The lock's lifetime in whole milliseconds, or None for none"
        if not self.timeout:
            return None
        # a tiny positive timeout must not turn into "no timeout"
        return max(1, int(self.timeout * 1000))

    def acquire(self, blocking=None, blocking_timeout=None):
        """
        Use Redis to hold a shared, distributed lock named ``name``.
        Returns True once the lock is acquired.

        If ``blocking`` is False, always return immediately. If the lock
        was acquired, return True, otherwise return False.

        ``blocking_timeout`` specifies the maximum number of seconds to
        wait trying to acquire the lock.
        """
        sleep = self.sleep
        token = uuid.uuid1().hex.encode()
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

    def do_acquire(self, token):
        # one SET NX PX: the key never exists without its expiry
        return bool(self.redis.set(self.name, token, nx=True,
                                   px=self._timeout_ms()))

    def _owns(self, value, token):
        # a decode_responses client reads the token back as str
        if isinstance(value, str):
            value = value.encode()
        return value == token

    def release(self):
        "Releases the already acquired lock"
        expected_token = self.local.token
        if expected_token is None:
            raise LockError("Cannot release an unlocked lock")
        self.local.token = None
        self.do_release(expected_token)

    def do_release(self, expected_token):
        name = self.name

        def execute_release(pipe):
            lock_value = pipe.get(name)
            if not self._owns(lock_value, expected_token):
                raise LockError("Cannot release a lock that's no longer "
                                "owned")
            pipe.multi()
            pipe.delete(name)

        self.redis.transaction(execute_release, name)

    def extend(self, additional_time):
        """
        Adds more time to an already acquired lock.

        ``additional_time`` can be specified as an integer or a float, both
        representing the number of seconds to add.
        """
        if self.local.token is None:
            raise LockError("Cannot extend an unlocked lock")
        if self.timeout is None:
            raise LockError("Cannot extend a lock with no timeout")
        return self.do_extend(additional_time)

    def do_extend(self, additional_time):
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
                # someone else acquired the lock
                raise LockError("Cannot extend a lock that's no longer owned")
        if not response[0]:
            # PEXPIRE returns 0 when the key no longer exists
            raise LockError("Cannot extend a lock that's no longer owned")
        return True


class LuaLock(Lock):
    """
    A lock implementation that uses Lua scripts rather than pipelines
    and watches.
    """
    lua_acquire = None
    lua_release = None
    lua_extend = None

    # KEYS[1] lock name, ARGV[1] token, ARGV[2] lifetime in ms or ''.
    # Returns 1 when acquired, else 0.
    LUA_ACQUIRE_SCRIPT = """
        if redis.call('setnx', KEYS[1], ARGV[1]) == 1 then
            if ARGV[2] ~= '' then
                redis.call('pexpire', KEYS[1], ARGV[2])
            end
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

    def __init__(self, *args, **kwargs):
        super(LuaLock, self).__init__(*args, **kwargs)
        LuaLock.register_scripts(self.redis)

    @classmethod
    def register_scripts(cls, redis):
        """Create the class's Script objects once; their SHA1 is computed
        locally, and each call loads the script where it is missing."""
        if cls.lua_acquire is None:
            cls.lua_acquire = redis.register_script(cls.LUA_ACQUIRE_SCRIPT)
        if cls.lua_release is None:
            cls.lua_release = redis.register_script(cls.LUA_RELEASE_SCRIPT)
        if cls.lua_extend is None:
            cls.lua_extend = redis.register_script(cls.LUA_EXTEND_SCRIPT)

    def do_acquire(self, token):
        timeout = self._timeout_ms()
        return bool(self.lua_acquire(keys=[self.name],
                                     args=[token, timeout or ''],
                                     client=self.redis))

    def do_release(self, expected_token):
        if not self.lua_release(keys=[self.name], args=[expected_token],
                                client=self.redis):
            raise LockError("Cannot release a lock that's no longer owned")

    def do_extend(self, additional_time):
        additional_time = int(additional_time * 1000)
        if not self.lua_extend(keys=[self.name],
                               args=[self.local.token, additional_time],
                               client=self.redis):
            raise LockError("Cannot extend a lock that's no longer owned")
        return True
