"""Lock and LuaLock against a real server, on both parsers."""
import threading
import time

import pytest

import redis
from redis.exceptions import DataError, LockError
from redis.lock import Lock, LuaLock


@pytest.fixture(params=[Lock, LuaLock], ids=['Lock', 'LuaLock'])
def lock_class(request):
    return request.param


def make_lock(client, lock_class, name='foo', **kwargs):
    if 'blocking' in kwargs:
        # StrictRedis.lock() has no ``blocking`` (as in 2.10.6)
        return lock_class(client, name, **kwargs)
    return client.lock(name, lock_class=lock_class, **kwargs)


def test_client_picks_lualock_by_default(r):
    assert type(r.lock('foo')) is LuaLock
    assert type(r.lock('foo', lock_class=Lock)) is Lock
    assert r._use_lua_lock is True
    assert isinstance(LuaLock.lua_release, redis.client.Script)


def test_defaults(r, lock_class):
    lock = lock_class(r, 'foo')
    assert (lock.redis, lock.name, lock.timeout, lock.sleep, lock.blocking,
            lock.blocking_timeout, lock.thread_local) == \
        (r, 'foo', None, 0.1, True, None, True)
    assert isinstance(lock.local, threading.local)
    assert repr(lock) == "%s<name='foo',timeout=None,owned=False>" % (
        lock_class.__name__)


def test_acquire_and_release(r, lock_class):
    lock = make_lock(r, lock_class)
    assert lock.acquire(blocking=False) is True
    token = lock.local.token
    assert isinstance(token, bytes) and len(token) == 32
    assert r.get('foo') == token
    assert r.ttl('foo') == -1
    assert 'owned=True' in repr(lock)
    assert lock.release() is None
    assert lock.local.token is None
    assert r.get('foo') is None


def test_competing_locks(r, lock_class):
    first = make_lock(r, lock_class)
    second = make_lock(r, lock_class)
    assert first.acquire(blocking=False)
    assert second.acquire(blocking=False) is False
    assert second.local.token is None
    first.release()
    assert second.acquire(blocking=False)
    second.release()


def test_blocking_timeout_gives_up(r, lock_class):
    holder = make_lock(r, lock_class)
    assert holder.acquire()
    waiter = make_lock(r, lock_class, sleep=0.01, blocking_timeout=0.2)
    start = time.monotonic()
    assert waiter.acquire() is False
    # gave up (the holder never releases): the bound only proves that
    assert 0.2 <= time.monotonic() - start < 30
    # the argument wins over the constructor's value: 0.05 s, not 60 s
    waiter = make_lock(r, lock_class, sleep=0.01, blocking_timeout=60)
    start = time.monotonic()
    assert waiter.acquire(blocking_timeout=0.05) is False
    assert 0.05 <= time.monotonic() - start < 30
    # and blocking=False does not wait at all
    assert make_lock(r, lock_class, blocking=False).acquire() is False
    holder.release()


def test_blocking_acquire_waits_for_release(r, make_client, lock_class):
    holder = make_lock(r, lock_class)
    assert holder.acquire()
    got = []
    # shared token: the main thread releases what the waiter acquired
    waiter = make_lock(make_client(), lock_class, sleep=0.01,
                       thread_local=False)

    def wait():
        got.append(waiter.acquire(blocking_timeout=5))

    thread = threading.Thread(target=wait)
    thread.start()
    holder.release()
    thread.join()
    assert got == [True]
    assert r.get('foo') == waiter.local.token
    waiter.release()


def test_float_timeout(r, lock_class):
    lock = make_lock(r, lock_class, timeout=0.5, sleep=0.01)
    assert lock.acquire(blocking=False)
    assert 0 < r.pttl('foo') <= 500
    lock.release()


def test_int_timeout(r, lock_class):
    lock = make_lock(r, lock_class, timeout=10)
    assert lock.acquire(blocking=False)
    assert 9000 < r.pttl('foo') <= 10000
    lock.release()


def test_tiny_timeout_still_expires(r, lock_class):
    lock = make_lock(r, lock_class, timeout=0.0001, sleep=0)
    assert lock.acquire(blocking=False)
    assert r.pttl('foo') in (-2, 0, 1)


def test_expired_lock_can_be_taken(r, lock_class):
    first = make_lock(r, lock_class, timeout=0.05, sleep=0.01)
    assert first.acquire(blocking=False)
    second = make_lock(r, lock_class, sleep=0.01)
    # blocks until the first lock's key expires on the server
    assert second.acquire(blocking_timeout=5)
    with pytest.raises(LockError) as info:
        first.release()
    assert str(info.value) == "Cannot release a lock that's no longer owned"
    # the first owner's failed release left the new owner's lock alone
    assert r.get('foo') == second.local.token
    second.release()


def test_extend(r, lock_class):
    lock = make_lock(r, lock_class, timeout=10)
    assert lock.acquire(blocking=False)
    assert lock.extend(10) is True
    assert 19000 < r.pttl('foo') <= 20000
    assert lock.extend(0.5) is True
    assert 19400 < r.pttl('foo') <= 20500
    lock.release()


def test_release_unlocked(r, lock_class):
    lock = make_lock(r, lock_class)
    with pytest.raises(LockError) as info:
        lock.release()
    assert str(info.value) == 'Cannot release an unlocked lock'
    assert isinstance(info.value, ValueError)


def test_release_twice(r, lock_class):
    lock = make_lock(r, lock_class)
    lock.acquire()
    lock.release()
    with pytest.raises(LockError) as info:
        lock.release()
    assert str(info.value) == 'Cannot release an unlocked lock'


def test_release_a_lock_taken_over(r, lock_class):
    lock = make_lock(r, lock_class)
    lock.acquire()
    r.set('foo', 'someone else')
    with pytest.raises(LockError) as info:
        lock.release()
    assert str(info.value) == "Cannot release a lock that's no longer owned"
    assert r.get('foo') == b'someone else'


def test_release_a_deleted_lock(r, lock_class):
    lock = make_lock(r, lock_class)
    lock.acquire()
    r.delete('foo')
    with pytest.raises(LockError) as info:
        lock.release()
    assert str(info.value) == "Cannot release a lock that's no longer owned"


def test_extend_errors(r, lock_class):
    lock = make_lock(r, lock_class, timeout=10)
    with pytest.raises(LockError) as info:
        lock.extend(10)
    assert str(info.value) == 'Cannot extend an unlocked lock'
    no_timeout = make_lock(r, lock_class, name='bar')
    no_timeout.acquire()
    with pytest.raises(LockError) as info:
        no_timeout.extend(10)
    assert str(info.value) == 'Cannot extend a lock with no timeout'
    assert r.ttl('bar') == -1
    lock.acquire()
    r.set('foo', 'someone else')
    with pytest.raises(LockError) as info:
        lock.extend(10)
    assert str(info.value) == "Cannot extend a lock that's no longer owned"
    r.delete('foo')
    with pytest.raises(LockError) as info:
        lock.extend(10)
    assert str(info.value) == "Cannot extend a lock that's no longer owned"
    assert r.get('foo') is None
    assert len(r.connection_pool._in_use_connections) == 0


def test_sleep_must_be_less_than_timeout(r, lock_class):
    with pytest.raises(LockError) as info:
        make_lock(r, lock_class, timeout=1, sleep=2)
    assert str(info.value) == "'sleep' must be less than 'timeout'"


def test_negative_timeout(make_client, lock_class):
    client = make_client()
    # below the default sleep: 2.10.6's LockError
    with pytest.raises(LockError) as info:
        make_lock(client, lock_class, timeout=-1)
    assert str(info.value) == "'sleep' must be less than 'timeout'"
    # and when sleep is lower still, refused before anything is sent
    with pytest.raises(DataError) as info:
        make_lock(client, lock_class, timeout=-1, sleep=-2)
    assert str(info.value) == "'timeout' must be a positive number"
    assert client.connection_pool._created_connections == 0


def test_zero_timeout_means_no_expiry(r, lock_class):
    # 2.10.6 tested the timeout for truth: 0 never expires
    lock = make_lock(r, lock_class, timeout=0)
    assert lock.acquire(blocking=False)
    assert r.ttl('foo') == -1
    lock.release()


def test_context_manager(r, lock_class):
    with make_lock(r, lock_class, timeout=10) as lock:
        assert isinstance(lock, lock_class)
        assert r.get('foo') == lock.local.token
    assert r.get('foo') is None


def test_context_manager_releases_on_error(r, lock_class):
    with pytest.raises(ZeroDivisionError):
        with make_lock(r, lock_class):
            1 / 0
    assert r.get('foo') is None


def test_context_manager_that_cannot_acquire(r, lock_class):
    holder = make_lock(r, lock_class)
    holder.acquire()
    body_ran = []
    with pytest.raises(LockError) as info:
        with make_lock(r, lock_class, sleep=0.01, blocking_timeout=0.05):
            body_ran.append(1)
    assert str(info.value) == \
        'Unable to acquire lock within the time specified'
    assert body_ran == []
    assert r.get('foo') == holder.local.token


def test_context_manager_blocks_even_when_told_not_to(r, make_client,
                                                      lock_class):
    holder = make_lock(r, lock_class)
    holder.acquire()
    lock = make_lock(make_client(), lock_class, blocking=False, sleep=0.01,
                     blocking_timeout=5)
    entered = []

    def enter():
        with lock:
            entered.append(r.get('foo') == lock.local.token)

    thread = threading.Thread(target=enter)
    thread.start()
    holder.release()
    thread.join()
    assert entered == [True]


def test_thread_local_token(r, lock_class):
    lock = make_lock(r, lock_class)
    lock.acquire()
    seen = []

    def other_thread():
        seen.append(lock.local.token)
        try:
            lock.release()
        except LockError as e:
            seen.append(str(e))

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert seen == [None, 'Cannot release an unlocked lock']
    assert r.get('foo') == lock.local.token
    lock.release()


def test_shared_token(r, lock_class):
    lock = make_lock(r, lock_class, thread_local=False)
    assert lock.thread_local is False
    assert not isinstance(lock.local, threading.local)
    lock.acquire()
    released = []

    def other_thread():
        lock.release()
        released.append(True)

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert released == [True]
    assert r.get('foo') is None
    assert lock.local.token is None


def test_decode_responses_client(rd, lock_class):
    lock = make_lock(rd, lock_class, timeout=10)
    assert lock.acquire(blocking=False)
    assert rd.get('foo') == lock.local.token.decode()
    assert lock.extend(1)
    lock.release()
    assert rd.get('foo') is None


def test_binary_and_unicode_names(r, lock_class):
    for name in (b'\x00lock\xff', 'l\u00f6ck'):
        lock = make_lock(r, lock_class, name=name, timeout=5)
        assert lock.acquire(blocking=False)
        assert r.exists(name)
        assert lock.extend(1)
        lock.release()
        assert not r.exists(name)


def test_lualock_after_script_flush(r):
    lock = make_lock(r, LuaLock, timeout=10)
    r.script_flush()
    assert lock.acquire(blocking=False)
    r.script_flush()
    assert lock.extend(1)
    r.script_flush()
    lock.release()
    assert r.get('foo') is None


def test_lualock_on_another_server(r, make_server, make_client):
    make_lock(r, LuaLock)
    other = make_client(server=make_server())
    lock = make_lock(other, LuaLock, timeout=5)
    assert lock.acquire(blocking=False)
    assert other.get('foo') == lock.local.token
    assert r.get('foo') is None
    lock.release()


def test_many_threads_one_owner_at_a_time(make_client, lock_class):
    clients = [make_client() for _ in range(4)]
    counter_client = clients[0]
    counter_client.set('counter', 0)
    errors = []

    def worker(client):
        lock = make_lock(client, lock_class, timeout=10, sleep=0.001)
        for _ in range(10):
            with lock:
                # an unprotected read-modify-write: lost updates would show
                value = int(client.get('counter'))
                client.set('counter', value + 1)
                if client.get('foo') != lock.local.token:
                    errors.append('not the owner')

    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert counter_client.get('counter') == b'40'
