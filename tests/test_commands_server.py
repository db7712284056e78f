"""Server and connection commands against a real server, under both
parsers: INFO, CONFIG, CLIENT, SLOWLOG, DEBUG OBJECT, persistence, SHUTDOWN,
SLAVEOF and WAIT."""
import datetime
import re
import time

import pytest

from redis.exceptions import RedisError, ResponseError

from checks import same


def wait_until(condition, timeout=10.0):
    "Poll ``condition`` until it holds; fail the test if it never does"
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, 'condition never held'
        time.sleep(0.01)


def no_child_running(client):
    info = client.info('persistence')
    return (info['rdb_bgsave_in_progress'] == 0
            and info['aof_rewrite_in_progress'] == 0
            and info['aof_rewrite_scheduled'] == 0)


@pytest.fixture
def remember_config(redis_server):
    """remember_config(name): the parameter ``name`` of the session's
    server is put back as it is now after the test"""
    saved = {}

    def remember(name):
        saved[name] = redis_server.command('CONFIG', 'GET', name)[1]

    yield remember
    for name, value in saved.items():
        redis_server.command('CONFIG', 'SET', name, value)


@pytest.fixture
def slowlog_everything(r, remember_config):
    "Log every command in the slow log for the test's duration"
    remember_config('slowlog-log-slower-than')
    r.config_set('slowlog-log-slower-than', 0)
    r.slowlog_reset()
    return r


# ---- connection -------------------------------------------------------------

def test_ping(r, rd):
    same(r.ping(), True)
    same(rd.ping(), True)


def test_echo(r, rd):
    same(r.echo('hello'), b'hello')
    same(rd.echo('hello'), 'hello')
    same(r.echo(b'\x00\xff\r\n'), b'\x00\xff\r\n')
    same(rd.echo(u'\u00fc\u20ac'), u'\u00fc\u20ac')
    same(r.echo(12.5), b'12.5')


# ---- INFO -------------------------------------------------------------------

def test_info_values_are_typed(r, rd, redis_server):
    r.set('k', 'v')
    for client in (r, rd):
        info = client.info()
        assert isinstance(info, dict)
        assert re.match(r'^\d+\.\d+\.\d+$', info['redis_version'])
        same(info['tcp_port'], redis_server.port)
        same(info['connected_clients'] >= 1, True)
        assert isinstance(info['uptime_in_seconds'], int)
        assert isinstance(info['mem_fragmentation_ratio'], float)
        same(info['role'], 'master')
        same(info['db0'], {'keys': 1, 'expires': 0, 'avg_ttl': 0})
        # header lines ('# Server') are not keys
        assert not any(key.startswith('#') for key in info)


def test_info_section(r, rd):
    r.set('k', 'v', ex=100)
    server = r.info('server')
    assert 'redis_version' in server
    assert 'used_memory' not in server
    keyspace = rd.info('keyspace')
    same(sorted(keyspace), ['db0'])
    same(keyspace['db0']['keys'], 1)
    same(keyspace['db0']['expires'], 1)
    assert isinstance(keyspace['db0']['avg_ttl'], int)


def test_info_unknown_section_is_empty(r):
    same(r.info('nosuchsection'), {})


# ---- keyspace wide ----------------------------------------------------------

def test_dbsize_flushdb_flushall(r, make_client):
    same(r.dbsize(), 0)
    r.set('a', 1)
    r.set('b', 2)
    same(r.dbsize(), 2)
    same(r.flushdb(), True)
    same(r.dbsize(), 0)
    other_db = make_client(db=1)
    other_db.set('c', 3)
    r.set('d', 4)
    same(r.flushall(), True)
    same(r.dbsize(), 0)
    same(other_db.dbsize(), 0)


def test_time(r):
    before = int(time.time())
    result = r.time()
    assert type(result) is tuple and len(result) == 2
    seconds, micros = result
    assert type(seconds) is int and type(micros) is int
    assert before - 1 <= seconds <= int(time.time()) + 1
    assert 0 <= micros < 1000000


# ---- CONFIG -----------------------------------------------------------------

def test_config_get(r, rd, redis_server):
    for client in (r, rd):
        same(client.config_get('port'), {'port': str(redis_server.port)})
        same(client.config_get('nosuchparameter*'), {})
        everything = client.config_get()
        assert len(everything) > 50
        same(everything['save'], '')


def test_config_set(r, remember_config):
    remember_config('maxmemory-samples')
    same(r.config_set('maxmemory-samples', 7), True)
    same(r.config_get('maxmemory-samples'), {'maxmemory-samples': '7'})


def test_config_set_errors(r):
    with pytest.raises(ResponseError, match='Unknown option'):
        r.config_set('nosuchparameter', 1)
    with pytest.raises(ResponseError):
        r.config_set('maxmemory-samples', 'lots')


def test_config_resetstat(r):
    for _ in range(5):
        r.ping()
    same(r.config_resetstat(), True)
    # only the INFO itself was counted since the reset
    same(r.info('stats')['total_commands_processed'], 1)


def test_config_rewrite_without_a_config_file(r):
    with pytest.raises(ResponseError, match='without a config file'):
        r.config_rewrite()


# ---- CLIENT -----------------------------------------------------------------

def test_client_getname_and_setname(r, rd):
    same(r.client_getname(), None)
    same(r.client_setname('helper-b'), True)
    # 2.10.6 decodes the name even without decode_responses
    same(r.client_getname(), 'helper-b')
    same(rd.client_setname('another-name'), True)
    same(rd.client_getname(), 'another-name')


def test_client_setname_with_a_space_is_a_response_error(r):
    with pytest.raises(ResponseError):
        r.client_setname('two words')


def test_client_list(r, rd):
    r.client_setname('lister')
    for client in (r, rd):
        clients = client.client_list()
        assert isinstance(clients, list)
        mine = [c for c in clients if c['name'] == 'lister']
        assert len(mine) == 1
        entry = mine[0]
        assert all(isinstance(k, str) and isinstance(v, str)
                   for k, v in entry.items())
        assert re.match(r'^127\.0\.0\.1:\d+$', entry['addr'])
        same(entry['db'], '0')
        assert entry['cmd'].startswith('client')


def test_client_kill(r, make_client):
    victim = make_client()
    victim.client_setname('victim')
    addr = [c['addr'] for c in r.client_list() if c['name'] == 'victim'][0]
    same(r.client_kill(addr), True)
    assert 'victim' not in [c['name'] for c in r.client_list()]
    with pytest.raises(ResponseError, match='No such client'):
        r.client_kill(addr)


# ---- DEBUG OBJECT -----------------------------------------------------------

def test_debug_object(r, rd):
    r.set('k', 'value')
    r.rpush('l', *range(10))
    for client in (r, rd):
        info = client.debug_object('k')
        same(info['type'], 'Value')
        same(info['encoding'], 'embstr')
        same(info['refcount'], 1)
        assert isinstance(info['serializedlength'], int)
        assert isinstance(info['lru'], int)
        assert isinstance(info['lru_seconds_idle'], int)
        assert info['at'].startswith('0x')
        # quicklist up to 7.0, listpack from 7.2
        assert client.debug_object('l')['encoding'] in ('quicklist',
                                                        'listpack')


def test_debug_object_missing_key(r):
    with pytest.raises(ResponseError, match='no such key'):
        r.debug_object('missing')


# ---- persistence ------------------------------------------------------------

def test_save_and_lastsave(r):
    before = datetime.datetime.now().replace(microsecond=0)
    wait_until(lambda: no_child_running(r))
    same(r.save(), True)
    last = r.lastsave()
    assert isinstance(last, datetime.datetime)
    assert before - datetime.timedelta(seconds=1) <= last
    assert last <= datetime.datetime.now() + datetime.timedelta(seconds=1)


def test_bgsave(r):
    wait_until(lambda: no_child_running(r))
    same(r.bgsave(), True)
    wait_until(lambda: no_child_running(r))
    same(r.info('persistence')['rdb_last_bgsave_status'], 'ok')


def test_bgrewriteaof(r):
    wait_until(lambda: no_child_running(r))
    same(r.bgrewriteaof(), True)
    wait_until(lambda: no_child_running(r))
    same(r.info('persistence')['aof_last_bgrewrite_status'], 'ok')


# ---- SLOWLOG ----------------------------------------------------------------

def test_slowlog_get(slowlog_everything, rd):
    r = slowlog_everything
    before = int(time.time())
    r.get('slowkey')
    entries = r.slowlog_get()
    assert isinstance(entries, list)
    newest = entries[0]
    same(sorted(newest), ['command', 'duration', 'id', 'start_time'])
    same(newest['command'], b'GET slowkey')
    assert isinstance(newest['id'], int)
    assert isinstance(newest['duration'], int)
    assert before - 1 <= newest['start_time'] <= time.time() + 1
    # with decode_responses the command is text; the SLOWLOG GET just
    # above is the newest entry now
    same([e['command'] for e in rd.slowlog_get(2)],
         ['SLOWLOG GET', 'GET slowkey'])


def test_slowlog_get_num_and_len(slowlog_everything):
    r = slowlog_everything
    for i in range(3):
        r.get('k%d' % i)
    same([e['command'] for e in r.slowlog_get(2)], [b'GET k2', b'GET k1'])
    same(len(r.slowlog_get(1)), 1)
    # SLOWLOG RESET logs itself, then three GETs and two SLOWLOG GETs
    same(r.slowlog_len(), 6)


def test_slowlog_reset(slowlog_everything):
    r = slowlog_everything
    r.get('k')
    assert r.slowlog_len() > 0
    same(r.slowlog_reset(), True)
    # only the SLOWLOG RESET itself is in it now
    same(r.slowlog_len(), 1)


# ---- replication ------------------------------------------------------------

def test_wait_without_replicas(make_server, make_client):
    client = make_client(server=make_server())
    client.set('k', 'v')
    same(client.wait(0, 0), 0)
    same(client.wait(1, 20), 0)


def test_wait_for_a_replica(r, redis_replica, make_client):
    r.set('k', 'v')
    same(r.wait(1, 5000), 1)
    same(make_client(server=redis_replica).get('k'), b'v')


def test_slaveof_on_a_throwaway_server(make_server, make_client):
    master = make_server()
    client = make_client(server=make_server())
    same(client.slaveof(master.host, master.port), True)
    same(client.info('replication')['role'], 'slave')
    same(client.slaveof(), True)
    same(client.info('replication')['role'], 'master')


def test_slaveof_bad_port_is_a_response_error(make_server, make_client):
    client = make_client(server=make_server())
    with pytest.raises(ResponseError):
        client.slaveof('127.0.0.1', 'notaport')


# ---- SHUTDOWN ---------------------------------------------------------------

def test_shutdown_swallows_the_closed_connection(make_server, make_client):
    server = make_server()
    same(make_client(server=server).shutdown(), None)
    server.process.wait(10)
    assert not server.is_running()


def test_shutdown_that_gets_a_reply_raises(make_server, make_client):
    # SHUTDOWN renamed away and SAVE renamed to SHUTDOWN: the server answers
    # OK instead of closing the connection
    server = make_server(extra_args=(
        '--rename-command', 'SHUTDOWN', 'REALLY-SHUTDOWN',
        '--rename-command', 'SAVE', 'SHUTDOWN'))
    with pytest.raises(RedisError) as info:
        make_client(server=server).shutdown()
    assert type(info.value) is RedisError
    assert str(info.value) == 'SHUTDOWN seems to have failed.'
    assert server.is_running()
