"""Server commands of Redis 4-7 (SWAPDB, FLUSHALL/FLUSHDB ASYNC, REPLICAOF,
ROLE, FAILOVER, SHUTDOWN options, WAITAOF, LOLWUT, COMMAND, LATENCY,
MEMORY, MODULE, CONFIG RESETSTAT/REWRITE, shard channels) and monitor()
against real servers started by the harness, under both parsers, with
bytes and with decode_responses replies. Tests that change a server's
configuration, replication or modules use servers of their own."""
import os
import shutil
import signal
import subprocess
import threading
import time

import pytest

import servers
from redis.exceptions import DataError, RedisError, ResponseError

from checks import same, wait_for
from modes import client_in_mode, conv_for


@pytest.fixture
def own_server(make_server):
    return make_server()


@pytest.fixture
def own(own_server, make_client, decode):
    "A client of a server of the test's own, in the mode under test"
    return client_in_mode(make_client, decode, own_server)


def _retry_while(error_text, call):
    "call() until it stops failing with ``error_text``; its result"
    deadline = time.monotonic() + 30
    while True:
        try:
            return call()
        except ResponseError as e:
            if error_text not in str(e) or time.monotonic() > deadline:
                raise
        time.sleep(0.01)


# ---- keyspace ---------------------------------------------------------------

def test_swapdb(client):
    client.set('k', 'in-0')
    same(client.swapdb(0, 1), True)
    try:
        same(client.get('k'), None)
        other = client.connection_pool.connection_kwargs
        assert other['db'] == 0
    finally:
        same(client.swapdb(0, 1), True)
    same(client.get('k'), client.conv(b'in-0'))


@pytest.mark.parametrize('asynchronous', [False, True])
def test_flushdb_and_flushall_asynchronous(client, asynchronous):
    client.set('a', 1)
    same(client.flushdb(asynchronous=asynchronous), True)
    same(client.dbsize(), 0)
    client.set('b', 1)
    same(client.flushall(asynchronous), True)
    same(client.dbsize(), 0)


# ---- replication --------------------------------------------------------------

def test_replicaof_and_role(make_server, make_client, decode):
    c = conv_for(decode)
    master = make_server()
    replica = make_server()
    m = make_client(server=master, decode_responses=decode)
    r = make_client(server=replica, decode_responses=decode)
    same(r.role(), [c(b'master'), 0, []])
    same(r.replicaof(master.host, master.port), c(b'OK'))
    wait_for(lambda: r.role()[3] == c(b'connected'), 'the replica synced')
    role = r.role()
    same(role[:3], [c(b'slave'), c(master.host.encode()), master.port])
    assert isinstance(role[4], int)
    wait_for(lambda: m.role()[2], 'the master lists its replica')
    kind, offset, replicas = m.role()
    same(kind, c(b'master'))
    same(replicas[0][:2], [c(master.host.encode()),
                           c(str(replica.port).encode())])
    same(r.replicaof('NO', 'ONE'), c(b'OK'))
    same(r.role()[0], c(b'master'))


def _synced_pair(make_server, make_client, decode):
    master = make_server()
    replica = make_server(replicaof=(master.host, master.port))
    replica.wait_for_sync()
    wait_for(lambda: _caught_up(master), 'the master sees its replica')
    m = make_client(server=master, decode_responses=decode)
    return master, replica, m


def test_failover(make_server, make_client, decode):
    master, replica, m = _synced_pair(make_server, make_client, decode)
    c = conv_for(decode)
    with pytest.raises(ResponseError, match='No failover in progress'):
        m.failover(abort=True)
    same(m.failover(replica.host, replica.port, timeout=10000), True)
    wait_for(lambda: m.role()[0] == c(b'slave'), 'the master stepped down')
    promoted = make_client(server=replica, decode_responses=decode)
    wait_for(lambda: promoted.role()[0] == c(b'master'),
              'the replica took over')


@pytest.mark.parametrize('kwargs, message', [
    ({'host': 'h'}, 'both host and port'),
    ({'port': 1}, 'both host and port'),
    ({'force': True}, 'force needs'),
    ({'host': 'h', 'port': 1, 'force': True}, 'force needs'),
    ({'abort': True, 'timeout': 5}, 'abort takes'),
    ({'abort': True, 'host': 'h', 'port': 1}, 'abort takes'),
])
def test_failover_bad_arguments_send_nothing(offline, kwargs, message):
    with pytest.raises(DataError, match=message):
        offline.failover(**kwargs)


def test_waitaof(client, redis_server):
    version = servers.server_version(redis_server.executable) \
        if getattr(redis_server, 'executable', None) else (0,)
    if version >= (7, 2):
        # no AOF on the harness servers: the local count stays 0
        same(client.waitaof(0, 0, 100), [0, 0])
    else:
        with pytest.raises(ResponseError, match='unknown command'):
            client.waitaof(0, 0, 100)


# ---- SHUTDOWN -----------------------------------------------------------------

def test_shutdown_with_options(make_server, make_client, decode):
    server = make_server()
    client = make_client(server=server, decode_responses=decode)
    with pytest.raises(ResponseError, match='No shutdown in progress'):
        client.shutdown(abort=True)
    same(client.shutdown(nosave=True, now=True, force=True), None)
    server.process.wait(30)
    assert not server.is_running()


@pytest.mark.parametrize('kwargs', [
    {'save': True, 'nosave': True},
    {'abort': True, 'now': True},
    {'abort': True, 'nosave': True},
])
def test_shutdown_bad_flags_send_nothing(offline, kwargs):
    with pytest.raises(DataError, match='SHUTDOWN'):
        offline.shutdown(**kwargs)


def _caught_up(master):
    "Is the replica online and has it acknowledged all the master sent?"
    info = servers.parse_info(master.command('INFO', 'replication'))
    replica = info.get('slave0', '')
    return 'state=online' in replica and \
        ('offset=%s,' % info['master_repl_offset']) in replica


@pytest.mark.slow
def test_shutdown_abort(make_server, make_client, decode):
    # a master waits for a lagging replica before it stops: time to abort
    master, replica, m = _synced_pair(make_server, make_client, decode)
    m.set('before', 1)
    wait_for(lambda: _caught_up(master), 'the replica acknowledged')
    os.kill(replica.pid, signal.SIGSTOP)
    try:
        m.set('after', 2)
        stopping = make_client(server=master)
        outcome = {}

        def shut():
            try:
                stopping.shutdown(nosave=True)
                outcome['result'] = 'stopped'
            except RedisError as e:
                outcome['result'] = e
        thread = threading.Thread(target=shut, daemon=True)
        thread.start()
        same(_retry_while('No shutdown in progress',
                          lambda: m.shutdown(abort=True)), True)
        thread.join(30)
        assert 'Errors trying to SHUTDOWN' in str(outcome['result'])
        same(m.ping(), True)
    finally:
        os.kill(replica.pid, signal.SIGCONT)


# ---- LOLWUT, COMMAND ------------------------------------------------------------

def test_lolwut(client):
    art = client.lolwut()
    assert isinstance(art, type(client.conv(b'')))
    assert client.conv(b'Redis ver.') in art
    assert client.conv(b'Redis ver.') in client.lolwut(5, 1, 1, 1)


def test_command_and_command_info(client):
    everything = client.command()
    get = everything['get']
    same(get['name'], 'get')
    same(get['arity'], 2)
    assert 'readonly' in get['flags']
    same((get['first_key_pos'], get['last_key_pos'], get['step_count']),
         (1, 1, 1))
    assert '@read' in get['acl_categories']
    same(client.command_count(), len(everything))
    info = client.command_info('get', 'no-such-command')
    same(list(info), ['get'])
    same(info['get']['arity'], 2)
    assert len(client.command_info()) == len(everything)


def test_command_docs(client):
    docs = client.command_docs('get', 'client')
    get = docs['get']
    same(get['summary'], 'Get the value of a key')
    same(get['group'], 'string')
    same(get['arguments'], [{'name': 'key', 'type': 'key',
                             'key_spec_index': 0}])
    kill = docs['client']['subcommands']['client|kill']
    assert kill['arguments'][0]['type'] == 'oneof'
    history = client.command_docs('set')['set']['history']
    assert ['6.0.0', 'Added the `KEEPTTL` option.'] in history
    same(client.command_docs('slaveof')['slaveof']['doc_flags'],
         ['deprecated'])


def test_command_getkeys_and_list(client):
    c = client.conv
    same(client.command_getkeys('mset', 'a', 1, 'b', 2), ['a', 'b'])
    same(client.command_getkeysandflags('set', 'a', 'b'),
         [[c(b'a'), [c(b'OW'), c(b'update')]]])
    with pytest.raises(ResponseError):
        client.command_getkeys('ping')
    names = client.command_list()
    assert c(b'get') in names and c(b'client|list') in names
    same(sorted(client.command_list(category='hyperloglog')),
         sorted(c(n) for n in (b'pfadd', b'pfcount', b'pfdebug',
                               b'pfmerge', b'pfselftest')))
    same(sorted(client.command_list(pattern='xa*')),
         [c(b'xack'), c(b'xadd'), c(b'xautoclaim')])
    same(client.command_list(module='no-such-module'), [])


def test_command_list_takes_one_filter(offline):
    with pytest.raises(DataError, match='one filter'):
        offline.command_list(category='read', pattern='g*')


# ---- LATENCY ----------------------------------------------------------------------

def test_latency(make_server, make_client, decode):
    c = conv_for(decode)
    server = make_server(extra_args=['--latency-monitor-threshold', '1',
                                     '--latency-tracking', 'yes'])
    client = make_client(server=server, decode_responses=decode)
    same(client.latency_latest(), [])
    client.execute_command('DEBUG', 'SLEEP', '0.02')
    (event, stamp, latest, highest), = client.latency_latest()
    same(event, c(b'command'))
    assert latest >= 20 and highest >= latest and stamp > 0
    history = client.latency_history('command')
    same(len(history), 1)
    assert history[0][1] >= 20
    assert c(b'command') in client.latency_doctor()
    assert c(b'command') in client.latency_graph('command')
    same(client.latency_reset('command'), 1)
    same(client.latency_latest(), [])
    client.set('k', 'v')
    client.set('k', 'w')
    histogram = client.latency_histogram('set', 'no-such-command')
    same(list(histogram), ['set'])
    same(histogram['set']['calls'], 2)
    buckets = histogram['set']['histogram_usec']
    assert buckets and all(isinstance(b, int) and isinstance(n, int)
                           for b, n in buckets.items())
    assert 'debug' in client.latency_histogram()


# ---- MEMORY ---------------------------------------------------------------------

def test_memory(client):
    stats = client.memory_stats()
    assert isinstance(stats['peak.allocated'], int)
    assert isinstance(stats['dataset.percentage'], str)
    client.set('k', 'v')
    assert isinstance(client.memory_stats()['db.0'], dict)
    assert isinstance(client.memory_doctor(), type(client.conv(b'')))
    assert isinstance(client.memory_malloc_stats(), type(client.conv(b'')))
    same(client.memory_purge(), True)


# ---- MODULE -----------------------------------------------------------------------

# A module that only names itself (the ABI's first context field is the
# function that looks up the module API)
MODULE_SOURCE = r'''
typedef struct RedisModuleCtx RedisModuleCtx;
typedef struct RedisModuleString RedisModuleString;
typedef int (*get_api_fn)(const char *name, void *target);
typedef void (*set_attribs_fn)(RedisModuleCtx *ctx, const char *name,
                               int ver, int apiver);

int RedisModule_OnLoad(RedisModuleCtx *ctx, RedisModuleString **argv,
                       int argc) {
    get_api_fn get_api = (get_api_fn)((void **)ctx)[0];
    set_attribs_fn set_attribs = 0;
    (void)argv;
    (void)argc;
    if (get_api("RedisModule_SetModuleAttribs", &set_attribs) != 0)
        return 1;
    set_attribs(ctx, "tinymod", 3, 1);
    return 0;
}
'''


@pytest.fixture(scope='module')
def module_path(tmp_path_factory):
    compiler = shutil.which('cc') or shutil.which('gcc')
    if compiler is None:
        pytest.fail('the MODULE tests build a module: install a C '
                    'compiler (apt-get install -y gcc)', pytrace=False)
    folder = tmp_path_factory.mktemp('module')
    source = folder / 'tinymod.c'
    source.write_text(MODULE_SOURCE)
    path = str(folder / 'tinymod.so')
    subprocess.run([compiler, '-shared', '-fPIC', '-o', path, str(source)],
                   check=True, capture_output=True, timeout=120)
    return path


def test_modules(make_server, make_client, decode, module_path):
    c = conv_for(decode)
    server = make_server(extra_args=['--enable-module-command', 'yes'])
    client = make_client(server=server, decode_responses=decode)
    same(client.module_list(), [])
    same(client.module_load(module_path, 'a', 'b'), True)
    same(client.module_list(), [{
        c(b'name'): c(b'tinymod'), c(b'ver'): 3,
        c(b'path'): c(module_path.encode()), c(b'args'): [c(b'a'),
                                                          c(b'b')]}])
    same(client.module_unload('tinymod'), True)
    same(client.module_loadex(module_path, args=['q']), c(b'OK'))
    same(client.module_list()[0][c(b'args')], [c(b'q')])
    same(client.module_unload('tinymod'), True)
    # the module has no such config: the server refuses
    with pytest.raises(ResponseError):
        client.module_loadex(module_path, options=['some-config', '1'])
    with pytest.raises(ResponseError, match='no such module'):
        client.module_unload('tinymod')
    with pytest.raises(ResponseError, match='Error loading'):
        client.module_load(module_path + '.missing')


def test_module_loadex_options_in_pairs(offline):
    with pytest.raises(DataError, match='even number'):
        offline.module_loadex('/x.so', options=['only-a-name'])


# ---- CONFIG RESETSTAT / REWRITE -------------------------------------------------

def test_config_resetstat(own):
    for _ in range(3):
        own.ping()
    assert own.info('stats')['total_commands_processed'] > 3
    same(own.config_resetstat(), True)
    assert own.info('stats')['total_commands_processed'] <= 2


class _ServerWithConfigFile(servers.RedisServer):
    "A server started from a config file, which CONFIG REWRITE writes"

    def __init__(self, config_path):
        super(_ServerWithConfigFile, self).__init__()
        self.config_path = config_path

    def command_line(self):
        args = super(_ServerWithConfigFile, self).command_line()
        return args[:1] + [self.config_path] + args[1:]


def test_config_rewrite(own, make_client, decode, tmp_path):
    with pytest.raises(ResponseError, match='without a config file'):
        own.config_rewrite()
    config = tmp_path / 'redis.conf'
    config.write_text('maxmemory-policy noeviction\n')
    server = _ServerWithConfigFile(str(config))
    try:
        server.start()
        client = make_client(server=server, decode_responses=decode)
        client.config_set('maxmemory-policy', 'allkeys-lru')
        same(client.config_rewrite(), conv_for(decode)(b'OK'))
        assert 'maxmemory-policy allkeys-lru' in config.read_text()
    finally:
        server.stop()


# ---- shard channels ---------------------------------------------------------------

def test_shard_channels(client, redis_server):
    c = client.conv
    same(client.spublish('orders', 'nobody listens'), 0)
    listener = redis_server.raw_connection()
    try:
        assert listener.command('SSUBSCRIBE', 'orders')[0] == b'ssubscribe'
        same(client.pubsub_shardchannels(), [c(b'orders')])
        same(client.pubsub_shardchannels('ord*'), [c(b'orders')])
        same(client.pubsub_shardchannels('x*'), [])
        same(client.pubsub_shardnumsub('orders', 'none'),
             [(c(b'orders'), 1), (c(b'none'), 0)])
        same(client.spublish('orders', 'hello'), 1)
        same(listener.read_reply(), [b'smessage', b'orders', b'hello'])
    finally:
        listener.close()


# ---- MONITOR ----------------------------------------------------------------------

def _next_matching(monitor, word):
    "The next monitored command starting with ``word``"
    while True:
        command = monitor.next_command()
        if command['command'].split(' ', 1)[0].lower() == word:
            return command


def test_monitor(client, make_client):
    other = make_client()
    with client.monitor() as m:
        assert 'monitoring' in repr(m)
        other.set('k', 'quote " backslash \\ newline \n é')
        command = _next_matching(m, 'set')
        same(command['command'],
             'SET k quote " backslash \\ newline \n é')
        assert isinstance(command['time'], float) and command['time'] > 0
        same(command['db'], 0)
        same(command['client_type'], 'tcp')
        same(command['client_address'], '127.0.0.1')
        same(command['client_port'], other.client_info()['addr']
             .rsplit(':', 1)[1])
        other.eval("return redis.call('GET', KEYS[1])", 1, 'k')
        from_lua = _next_matching(m, 'get')
        same((from_lua['client_type'], from_lua['client_address'],
              from_lua['client_port']), ('lua', 'lua', ''))
        connection = m.connection
    # the monitoring connection is closed, never reused as it is
    assert m.connection is None and connection._sock is None
    same(client.ping(), True)


def test_monitor_listen_over_unix_socket(redis_unix_server, make_client):
    client = make_client(server=redis_unix_server, unix=True)
    other = make_client(server=redis_unix_server, unix=True)
    with client.monitor() as m:
        listened = m.listen()
        other.get('through-unix')
        command = next(c for c in listened
                       if c['command'] == 'GET through-unix')
    same(command['client_type'], 'unix')
    same(command['client_address'], 'unix')
    same(command['client_port'], redis_unix_server.unix_path)


def test_monitor_refused(make_server, make_client):
    server = make_server(extra_args=['--rename-command', 'MONITOR', ''])
    client = make_client(server=server)
    monitor = client.monitor()
    with pytest.raises(ResponseError, match='unknown command'):
        with monitor:
            pass
    assert monitor.connection is None
    same(client.ping(), True)


@pytest.mark.parametrize('line, expected', [
    (b'1700000000.123456 [0 127.0.0.1:50001] "SET" "k" "a\\"b\\\\c\\n"',
     {'time': 1700000000.123456, 'db': 0, 'client_address': '127.0.0.1',
      'client_port': '50001', 'client_type': 'tcp',
      'command': 'SET k a"b\\c\n'}),
    # non-printable bytes come as \xHH, each byte of a UTF-8 character too
    (b'1.5 [3 [::1]:6000] "GET" "\\xc3\\xa9\\x00\\t\\r\\a\\b"',
     {'time': 1.5, 'db': 3, 'client_address': '[::1]',
      'client_port': '6000', 'client_type': 'tcp',
      'command': 'GET \xe9\x00\t\r\a\b'}),
    (b'2.0 [0 lua] "get" "x"',
     {'time': 2.0, 'db': 0, 'client_address': 'lua', 'client_port': '',
      'client_type': 'lua', 'command': 'get x'}),
    (b'2.0 [1 unix:/tmp/redis.sock] "PING"',
     {'time': 2.0, 'db': 1, 'client_address': 'unix',
      'client_port': '/tmp/redis.sock', 'client_type': 'unix',
      'command': 'PING'}),
    (b'2.0 [0 ] "PING"',
     {'time': 2.0, 'db': 0, 'client_address': '', 'client_port': '',
      'client_type': 'unknown', 'command': 'PING'}),
    (b'2.0 [0 127.0.0.1:1] "SET" "k" ""',
     {'time': 2.0, 'db': 0, 'client_address': '127.0.0.1',
      'client_port': '1', 'client_type': 'tcp', 'command': 'SET k '}),
])
def test_monitor_lines(line, expected):
    from redis.replies_admin import parse_monitor_line
    same(parse_monitor_line(line), expected)
    # a decoding client reads the line as str
    same(parse_monitor_line(line.decode()), expected)
