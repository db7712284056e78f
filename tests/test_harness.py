"""Tests of the test harness itself (tests/servers.py, tests/conftest.py).

Server checks use the raw RESP client in servers.py, not the library, so
they hold even when the client under test is broken.
"""
import os
import socket
import ssl
import stat
import subprocess
import sys

import pytest

import servers
from servers import RawReplyError, RedisSentinel, raw_command

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS_DIR)


def run_pytest(*args, **env):
    "Run pytest on this checkout in a child process"
    child_env = dict(os.environ, **env)
    return subprocess.run(
        [sys.executable, '-m', 'pytest', '-p', 'no:cacheprovider', '-q']
        + list(args), cwd=ROOT, env=child_env, capture_output=True,
        text=True, timeout=120)


# ---- servers.py -------------------------------------------------------------

def test_free_port_can_be_bound():
    port = servers.free_port()
    with socket.socket() as sock:
        sock.bind((servers.HOST, port))
        assert sock.getsockname()[1] == port


def test_find_redis_server_honours_env(monkeypatch):
    real = servers.find_redis_server()
    monkeypatch.setenv('REDIS_SERVER', real)
    assert servers.find_redis_server() == real
    # an explicit but wrong path is not silently replaced by PATH's
    monkeypatch.setenv('REDIS_SERVER', '/nonexistent/redis-server')
    assert servers.find_redis_server() is None


def test_server_lifecycle(make_server):
    server = make_server()
    port, pid, directory = server.port, server.pid, server.dir
    assert os.path.isdir(directory)
    assert server.command('SET', 'k', 'v') == 'OK'
    assert server.url == 'redis://127.0.0.1:%d/0' % port

    server.restart()
    assert (server.port, server.dir) == (port, directory)
    assert server.pid != pid
    # nothing is saved to disk, so a restart starts empty
    assert server.command('GET', 'k') is None

    server.kill()
    assert not server.is_running()
    with pytest.raises(OSError):
        raw_command('PING', port=port, timeout=1)
    server.restart()
    assert raw_command('PING', port=port) == 'PONG'

    server.stop()
    assert not server.is_running()
    assert not os.path.exists(directory)


def test_debug_command_enabled(make_server):
    server = make_server()
    assert server.command('DEBUG', 'SLEEP', '0') == 'OK'


def test_failed_start_reports_the_log(make_server):
    with pytest.raises(servers.ServerError) as info:
        make_server(extra_args=('--no-such-directive', 'x'))
    message = str(info.value)
    assert 'exited with code' in message
    assert 'no-such-directive' in message


def test_unix_socket_server(redis_unix_server):
    path = redis_unix_server.unix_path
    assert path.startswith(redis_unix_server.dir)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o700
    assert raw_command('PING', unix_path=path) == 'PONG'


def test_password_server(redis_password_server):
    server = redis_password_server
    assert server.password == 'sekrit'
    with pytest.raises(RawReplyError, match='NOAUTH'):
        raw_command('GET', 'x', port=server.port)
    assert raw_command('PING', port=server.port, password='sekrit') == 'PONG'
    assert server.url == 'redis://:sekrit@127.0.0.1:%d/0' % server.port


def test_tls_server(redis_tls_server):
    server = redis_tls_server
    assert server.url.startswith('rediss://')
    context = ssl.create_default_context(cafile=server.ca_file)
    # the certificate names 127.0.0.1, so even host name checks pass
    conn = servers.RawConnection(server.host, server.port,
                                 ssl_context=context)
    try:
        assert conn.command('PING') == 'PONG'
    finally:
        conn.close()

    wrong = ssl.create_default_context(cafile=server.wrong_ca_file)
    with pytest.raises(ssl.SSLCertVerificationError):
        servers.RawConnection(server.host, server.port, ssl_context=wrong)


def test_tls_server_refuses_plain_text(redis_tls_server):
    with pytest.raises((OSError, ValueError, ConnectionError)):
        raw_command('PING', port=redis_tls_server.port, timeout=2)


def test_replica_follows_master(harness_server, redis_replica):
    assert redis_replica.info()['role'] == 'slave'
    harness_server.command('SET', 'replicated', 'yes')
    # WAIT returns once the replica acknowledged the write
    assert harness_server.command('WAIT', 1, 5000) == 1
    assert redis_replica.command('GET', 'replicated') == b'yes'
    harness_server.command('DEL', 'replicated')


def test_sentinel_watches_master(make_server):
    master = make_server()
    sentinel = RedisSentinel('mymaster', master.host, master.port)
    try:
        sentinel.start()
        assert os.path.exists(sentinel.config_path)
        reply = sentinel.command('SENTINEL', 'get-master-addr-by-name',
                                 'mymaster')
        assert reply == [master.host.encode(), str(master.port).encode()]
        sentinel.restart()
        assert sentinel.command('PING') == 'PONG'
    finally:
        directory = sentinel.dir
        sentinel.stop()
    assert not os.path.exists(directory)


@pytest.mark.parametrize('executable,error', [
    ('/nonexistent/redis-server', 'redis-server not found'),
    ('/bin/false', '/bin/false --version failed'),
])
def test_unusable_redis_server_fails_the_run_with_one_line(executable, error):
    result = run_pytest('tests/test_harness.py::test_free_port_can_be_bound',
                        REDIS_SERVER=executable)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert error in lines[0]
    assert 'apt-get install -y redis-server' in lines[0]


# ---- conftest.py fixtures ---------------------------------------------------

def test_db_is_flushed_before_each_test(r, redis_server):
    # runs once per parser: the second run sees the first one's key gone
    assert redis_server.command('DBSIZE') == 0
    redis_server.command('SET', 'leftover', '1')


def test_client_fixtures(r, rd, rl, parser_class):
    import redis
    assert type(r) is redis.StrictRedis
    assert type(rd) is redis.StrictRedis
    assert type(rl) is redis.Redis
    for client in (r, rd, rl):
        kwargs = client.connection_pool.connection_kwargs
        assert kwargs['parser_class'] is parser_class
    r.set('foo', 'bar')
    assert r.get('foo') == b'bar'
    assert rd.get('foo') == 'bar'
    conn = r.connection_pool.get_connection('GET')
    try:
        assert type(conn._parser) is parser_class
    finally:
        r.connection_pool.release(conn)


def test_make_client_over_unix_socket(make_client, redis_unix_server):
    client = make_client(server=redis_unix_server, unix=True)
    assert client.execute_command('ECHO', 'over unix') == b'over unix'
    conn = client.connection_pool.get_connection('PING')
    try:
        assert conn._sock.family == socket.AF_UNIX
    finally:
        client.connection_pool.release(conn)


def test_harness_server_restart(harness_server, r):
    r.set('before', '1')
    harness_server.restart()
    # the pool notices the dead socket when handing it out
    assert r.get('before') is None
    assert r.set('after', '1') is True


def test_redis_url_option(make_server):
    external = make_server()
    external.command('SET', 'untouched', '1')
    result = run_pytest(
        '--redis-url', 'redis://127.0.0.1:%d/5' % external.port,
        'tests/test_harness.py::test_db_is_flushed_before_each_test[python]',
        'tests/test_harness.py::test_harness_server_restart[python]', '-rs')
    assert result.returncode == 0, result.stdout + result.stderr
    assert '1 passed, 1 skipped' in result.stdout
    assert 'not available with --redis-url' in result.stdout
    # only db 5 was flushed; db 0 and the process are as they were
    assert external.command('GET', 'untouched') == b'1'
    assert external.command('SELECT', 5) == 'OK'
    assert external.command('DBSIZE') == 0
