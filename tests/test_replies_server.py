"""Unit tests of the server, sentinel and cluster reply parsers
(redis.replies_server): INFO, CLIENT LIST, DEBUG OBJECT, SLOWLOG GET,
SENTINEL *, CLUSTER INFO/NODES.

Inputs are literal replies as the readers produce them (bytes, or str with
decode_responses=True), most copied from a real redis-server 7.0; the last
tests feed replies fetched over a raw socket from the harness's server.
"""
import pytest
from hypothesis import given, strategies as st

from redis.replies_server import (
    SENTINEL_STATE_TYPES, pairs_to_dict_typed, parse_node_line,
    parse_client_list, parse_cluster_info, parse_cluster_nodes,
    parse_debug_object, parse_info, parse_sentinel_get_master,
    parse_sentinel_master, parse_sentinel_masters, parse_sentinel_state,
    parse_sentinel_slaves_and_sentinels, parse_slowlog_get,
)
from redis.replies import parse_config_get

from checks import as_str


@pytest.fixture(params=['bytes', 'str'])
def reply(request):
    "Turns a bytes literal reply into the reply of the mode under test"
    return (lambda r: r) if request.param == 'bytes' else as_str


@pytest.fixture
def raw(redis_server):
    "Runs a command on the harness server over a raw socket (bytes replies)"
    return redis_server.command


# ---- INFO -------------------------------------------------------------------

# Lines of `INFO all` from redis-server 7.0.15 (a few per section).
INFO_7 = (
    b'# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\n'
    b'redis_build_id:ae4d7c971a948f0\r\nredis_mode:standalone\r\n'
    b'os:Linux 6.18.44-fc-v595 x86_64\r\narch_bits:64\r\n'
    b'monotonic_clock:POSIX clock_gettime\r\nprocess_supervised:no\r\n'
    b'run_id:43b166b8b5da51a5e112af9866e8791db20283f0\r\n'
    b'executable:/tmp/redis-server\r\nconfig_file:\r\n\r\n'
    b'# Memory\r\nused_memory:1139440\r\nused_memory_human:1.09M\r\n'
    b'used_memory_peak_perc:100.16%\r\nmaxmemory_policy:noeviction\r\n'
    b'allocator_frag_ratio:1.08\r\nmem_allocator:jemalloc-5.3.0\r\n\r\n'
    b'# Persistence\r\nloading:0\r\ncurrent_fork_perc:0.00\r\n'
    b'rdb_last_bgsave_status:ok\r\nrdb_last_bgsave_time_sec:-1\r\n\r\n'
    b'# Replication\r\nrole:master\r\n'
    b'master_failover_state:no-failover\r\n'
    b'master_replid2:0000000000000000000000000000000000000000\r\n'
    b'second_repl_offset:-1\r\n\r\n'
    b'# CPU\r\nused_cpu_sys:0.003568\r\n\r\n# Modules\r\n\r\n'
    b'# Commandstats\r\n'
    b'cmdstat_set:calls=1,usec=9,usec_per_call=9.00,rejected_calls=0,'
    b'failed_calls=0\r\n'
    b'cmdstat_client|list:calls=1,usec=11,usec_per_call=11.00,'
    b'rejected_calls=0,failed_calls=0\r\n\r\n'
    b'# Errorstats\r\nerrorstat_ERR:count=1\r\n\r\n'
    b'# Latencystats\r\n'
    b'latency_percentiles_usec_set:p50=9.023,p99=9.023,p99.9=9.023\r\n\r\n'
    b'# Cluster\r\ncluster_enabled:0\r\n\r\n'
    b'# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\n'
    b'db3:keys=1,expires=0,avg_ttl=0\r\n'
)


def test_parse_info_redis7(reply):
    info = parse_info(reply(INFO_7))
    assert all(type(key) is str for key in info)
    expected = {
        'redis_version': '7.0.15',
        'redis_git_sha1': 0,
        'redis_build_id': 'ae4d7c971a948f0',
        'os': 'Linux 6.18.44-fc-v595 x86_64',
        'arch_bits': 64,
        'monotonic_clock': 'POSIX clock_gettime',
        'process_supervised': 'no',
        'executable': '/tmp/redis-server',
        'config_file': '',
        'used_memory': 1139440,
        'used_memory_human': '1.09M',
        'used_memory_peak_perc': '100.16%',
        'allocator_frag_ratio': 1.08,
        'mem_allocator': 'jemalloc-5.3.0',
        'current_fork_perc': 0.0,
        'rdb_last_bgsave_status': 'ok',
        'rdb_last_bgsave_time_sec': -1,
        'master_failover_state': 'no-failover',
        'master_replid2': 0,
        'used_cpu_sys': 0.003568,
        'cmdstat_set': {'calls': 1, 'usec': 9, 'usec_per_call': 9.0,
                        'rejected_calls': 0, 'failed_calls': 0},
        'cmdstat_client|list': {'calls': 1, 'usec': 11,
                                'usec_per_call': 11.0, 'rejected_calls': 0,
                                'failed_calls': 0},
        # a single k=v is not a list: 2.10.6 kept it as the string
        'errorstat_ERR': 'count=1',
        'latency_percentiles_usec_set': {'p50': 9.023, 'p99': 9.023,
                                         'p99.9': 9.023},
        'cluster_enabled': 0,
        'db0': {'keys': 2, 'expires': 1, 'avg_ttl': 0},
        'db3': {'keys': 1, 'expires': 0, 'avg_ttl': 0},
    }
    for key, value in expected.items():
        assert info[key] == value, key
        assert type(info[key]) is type(value), key
    assert not any(key.startswith('#') for key in info)
    assert '__raw__' not in info


def test_parse_info_odd_lines():
    info = parse_info(
        b'# Sentinel\r\nsentinel_masters:1\r\n'
        b'master0:name=mymaster,status=ok,address=127.0.0.1:6379,'
        b'slaves=0,sentinels=1\r\n'
        b'listener0:name=tcp,bind=-::*,port=6379\r\n'
        b'odd_list:a,b=1\r\n'
        b'a line without colon\r\n'
        b'cmdstat_host::calls=1,usec=2\r\n')
    assert info['master0'] == {'name': 'mymaster', 'status': 'ok',
                               'address': '127.0.0.1:6379', 'slaves': 0,
                               'sentinels': 1}
    assert info['listener0'] == {'name': 'tcp', 'bind': '-::*',
                                 'port': 6379}
    # a comma in a value that is not a k=v list does not break parsing
    assert info['odd_list'] == 'a,b=1'
    assert info['__raw__'] == ['a line without colon']
    # split at the first colon, as 2.10.6 does, even for the command 'host:'
    assert info['cmdstat_host'] == {':calls': 1, 'usec': 2}
    assert parse_info(b'') == {}


info_scalars = st.one_of(
    st.integers(-10 ** 12, 10 ** 12),
    st.from_regex(r'\A[a-z][a-z_\-]{0,10}\Z'))


info_keys = st.from_regex(r'\A[a-z][a-z_0-9]{0,12}\Z')


@given(st.dictionaries(info_keys,
                       st.one_of(info_scalars,
                                 st.dictionaries(
                                     st.from_regex(r'\A[a-z]{1,6}\Z'),
                                     info_scalars, min_size=2, max_size=4))))
def test_parse_info_round_trip(fields):
    lines = ['# Section']
    for key, value in fields.items():
        if isinstance(value, dict):
            value = ','.join('%s=%s' % item for item in value.items())
        lines.append('%s:%s' % (key, value))
    assert parse_info('\r\n'.join(lines).encode()) == fields


# ---- other server replies ---------------------------------------------------

CLIENT_LIST_7 = (
    b'id=10 addr=127.0.0.1:40450 laddr=127.0.0.1:52193 fd=7 name= age=0 '
    b'idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=26 '
    b'qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=16384 rbp=16384 obl=0 '
    b'oll=0 omem=0 tot-mem=37658 events=r cmd=client|list user=default '
    b'redir=-1 resp=2\n'
    b'id=11 addr=/tmp/redis.sock:0 laddr=/tmp/redis.sock:0 fd=8 '
    b'name=worker=1 age=3 idle=3 flags=U db=2 cmd=get user=default\n'
)


def test_parse_client_list(reply):
    clients = parse_client_list(reply(CLIENT_LIST_7))
    assert len(clients) == 2
    first, second = clients
    assert first['id'] == '10'
    assert first['addr'] == '127.0.0.1:40450'
    assert first['name'] == ''
    assert first['cmd'] == 'client|list'
    assert first['resp'] == '2'
    assert len(first) == 28
    assert second['name'] == 'worker=1'
    assert second['addr'] == '/tmp/redis.sock:0'
    assert second['db'] == '2'
    assert parse_client_list(reply(b'')) == []


def test_parse_debug_object(reply):
    result = parse_debug_object(reply(
        b'Value at:0x7f735c7aa6c0 refcount:1 encoding:embstr '
        b'serializedlength:4 lru:358230 lru_seconds_idle:7'))
    assert result == {'type': 'Value', 'at': '0x7f735c7aa6c0',
                      'refcount': 1, 'encoding': 'embstr',
                      'serializedlength': 4, 'lru': 358230,
                      'lru_seconds_idle': 7}
    quicklist = parse_debug_object(reply(
        b'Value at:0x7f1 refcount:1 encoding:quicklist serializedlength:19 '
        b'lru:1 lru_seconds_idle:0 ql_nodes:1 ql_avg_node:3.00 '
        b'ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:22'))
    assert quicklist['ql_avg_node'] == '3.00'
    assert quicklist['encoding'] == 'quicklist'


def test_parse_slowlog_get_redis7(reply):
    # id, start time, duration, arguments, client address, client name
    raw = reply([
        [13, 1795520350, 11, [b'GEODIST', b'g', b'Palermo', b'Catania'],
         b'127.0.0.1:40530', b'worker'],
        [12, 1795520349, 0, [b'PING'], b'127.0.0.1:40530', b''],
    ])
    assert parse_slowlog_get(raw) == [
        {'id': 13, 'start_time': 1795520350, 'duration': 11,
         'command': reply(b'GEODIST g Palermo Catania')},
        {'id': 12, 'start_time': 1795520349, 'duration': 0,
         'command': reply(b'PING')},
    ]
    assert parse_slowlog_get([]) == []


def test_parse_slowlog_get_four_fields():
    # Redis before 4.0 sent no client address and name
    assert parse_slowlog_get([[1, b'1300000000', b'5', [b'SET', b'k',
                                                          b'v']]]) == [
        {'id': 1, 'start_time': 1300000000, 'duration': 5,
         'command': b'SET k v'}]


def test_pairs_to_dict_typed():
    result = pairs_to_dict_typed(['port', '6379', 'quorum', 'many',
                                  'name', 'm'], {'port': int, 'quorum': int})
    # a value that does not convert is kept as it came
    assert result == {'port': 6379, 'quorum': 'many', 'name': 'm'}


# ---- sentinel ---------------------------------------------------------------

SENTINEL_MASTER_7 = [
    b'name', b'mymaster', b'ip', b'127.0.0.1', b'port', b'52193',
    b'runid', b'43b166b8b5da51a5e112af9866e8791db20283f0',
    b'flags', b'master', b'link-pending-commands', b'0',
    b'link-refcount', b'1', b'last-ping-sent', b'0',
    b'last-ok-ping-reply', b'599', b'last-ping-reply', b'599',
    b'down-after-milliseconds', b'5000', b'info-refresh', b'1648',
    b'role-reported', b'master', b'role-reported-time', b'1655',
    b'config-epoch', b'0', b'num-slaves', b'0', b'num-other-sentinels',
    b'0', b'quorum', b'1', b'failover-timeout', b'180000',
    b'parallel-syncs', b'1',
]

SENTINEL_REPLICA_7 = [
    b'name', b'127.0.0.1:6380', b'ip', b'127.0.0.1', b'port', b'6380',
    b'runid', b'', b'flags', b's_down,slave,disconnected',
    b'link-pending-commands', b'100', b'link-refcount', b'1',
    b'last-ping-sent', b'29000', b'last-ok-ping-reply', b'29000',
    b'last-ping-reply', b'29000', b's-down-time', b'24000',
    b'down-after-milliseconds', b'5000', b'info-refresh', b'0',
    b'role-reported', b'slave', b'role-reported-time', b'29000',
    b'master-link-down-time', b'0', b'master-link-status', b'err',
    b'master-host', b'127.0.0.1', b'master-port', b'6379',
    b'slave-priority', b'100', b'slave-repl-offset', b'0',
    b'replica-announced', b'1',
]


def test_parse_sentinel_master(reply):
    state = parse_sentinel_master(reply(SENTINEL_MASTER_7))
    assert state['name'] == 'mymaster'
    assert state['ip'] == '127.0.0.1'
    assert state['runid'] == '43b166b8b5da51a5e112af9866e8791db20283f0'
    for key in ('port', 'quorum', 'num-slaves', 'config-epoch',
                'down-after-milliseconds', 'failover-timeout',
                'parallel-syncs', 'last-ok-ping-reply', 'info-refresh'):
        assert type(state[key]) is int, key
    assert state['port'] == 52193
    assert state['failover-timeout'] == 180000
    # not in SENTINEL_STATE_TYPES: stays a string as in 2.10.6
    assert state['link-refcount'] == '1'
    assert state['is_master'] is True
    for flag in ('is_slave', 'is_sdown', 'is_odown', 'is_sentinel',
                 'is_disconnected', 'is_master_down'):
        assert state[flag] is False, flag


def test_parse_sentinel_masters_and_slaves(reply):
    masters = parse_sentinel_masters(reply([SENTINEL_MASTER_7]))
    assert list(masters) == ['mymaster']
    assert masters['mymaster']['port'] == 52193
    assert parse_sentinel_masters([]) == {}
    (replica,) = parse_sentinel_slaves_and_sentinels(
        reply([SENTINEL_REPLICA_7]))
    assert replica['is_slave'] and replica['is_sdown']
    assert replica['is_disconnected']
    assert not replica['is_master'] and not replica['is_odown']
    assert replica['master-port'] == 6379
    assert replica['slave-repl-offset'] == 0
    assert replica['master-link-status'] == 'err'
    assert parse_sentinel_slaves_and_sentinels([]) == []


def test_parse_sentinel_state_types():
    assert set(SENTINEL_STATE_TYPES.values()) == {int}
    assert len(SENTINEL_STATE_TYPES) == 23
    state = parse_sentinel_state(['flags', 'sentinel,o_down,master_down',
                                  'voted-leader-epoch', '4'])
    assert state['is_sentinel'] and state['is_odown']
    assert state['is_master_down']
    assert state['voted-leader-epoch'] == 4


def test_parse_sentinel_get_master(reply):
    assert parse_sentinel_get_master(reply([b'127.0.0.1', b'6379'])) == (
        reply(b'127.0.0.1'), 6379)
    assert parse_sentinel_get_master(None) is None


# ---- cluster ----------------------------------------------------------------

CLUSTER_NODES_7 = (
    b'71f8db42bda127b6b9de1404a1d3671f098b4d65 127.0.0.1:30001@40001 '
    b'myself,master - 0 1426238316232 1 connected 0-2 5-10 100-200\n'
    b'e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30004@40004,'
    b'node-4 slave 71f8db42bda127b6b9de1404a1d3671f098b4d65 0 '
    b'1426238317239 4 connected\n'
    b'67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@40002 '
    b'master,fail - 1426238316232 1426238316232 2 disconnected 5461 '
    b'[93->-292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f]\n'
)


def test_parse_cluster_nodes(reply):
    nodes = parse_cluster_nodes(reply(CLUSTER_NODES_7))
    assert set(nodes) == {'127.0.0.1:30001@40001',
                          '127.0.0.1:30004@40004,node-4',
                          '127.0.0.1:30002@40002'}
    assert nodes['127.0.0.1:30001@40001'] == {
        'node_id': '71f8db42bda127b6b9de1404a1d3671f098b4d65',
        'flags': 'myself,master', 'master_id': '-',
        'last_ping_sent': '0', 'last_pong_rcvd': '1426238316232',
        'epoch': '1', 'connected': True,
        'slots': [['0', '2'], ['5', '10'], ['100', '200']]}
    replica = nodes['127.0.0.1:30004@40004,node-4']
    assert replica['master_id'] == '71f8db42bda127b6b9de1404a1d3671f098b4d65'
    assert replica['slots'] == []
    failed = nodes['127.0.0.1:30002@40002']
    assert failed['connected'] is False
    assert failed['slots'][0] == ['5461']
    assert len(failed['slots']) == 2


def test_parse_cluster_nodes_as_list(reply):
    # CLUSTER SLAVES/REPLICAS answers one line per array element
    lines = CLUSTER_NODES_7.splitlines()
    nodes = parse_cluster_nodes(reply(lines))
    assert nodes == parse_cluster_nodes(reply(CLUSTER_NODES_7))
    assert parse_cluster_nodes([]) == {}
    addr, node = parse_node_line(as_str(lines[1]))
    assert addr == '127.0.0.1:30004@40004,node-4'
    assert node['flags'] == 'slave'


def test_parse_cluster_info(reply):
    info = parse_cluster_info(reply(
        b'cluster_state:fail\r\ncluster_slots_assigned:110\r\n'
        b'cluster_known_nodes:1\r\ncluster_current_epoch:0\r\n'
        b'total_cluster_links_buffer_limit_exceeded:0\r\n'))
    assert info == {'cluster_state': 'fail', 'cluster_slots_assigned': '110',
                    'cluster_known_nodes': '1', 'cluster_current_epoch': '0',
                    'total_cluster_links_buffer_limit_exceeded': '0'}


# ---- replies of a real server -----------------------------------------------

def test_live_info(raw):
    for text in (raw('INFO', 'everything'), raw('INFO')):
        for info in (parse_info(text), parse_info(text.decode())):
            assert isinstance(info['redis_version'], str)
            assert isinstance(info['uptime_in_seconds'], int)
            assert isinstance(info['mem_fragmentation_ratio'], float)
            assert info['role'] in ('master', 'slave')
            assert '__raw__' not in info
            for key, value in info.items():
                assert isinstance(key, str) and not key.startswith('#')
                assert isinstance(value, (int, float, str, dict)), key
    info = parse_info(raw('INFO', 'commandstats'))
    assert set(info['cmdstat_info']) >= {'calls', 'usec', 'usec_per_call'}
    assert isinstance(info['cmdstat_info']['usec_per_call'], float)
    raw('SET', 'replies:live', 'x')
    try:
        info = parse_info(raw('INFO', 'keyspace'))
        assert any(isinstance(v, dict) and v['keys'] >= 1
                   for k, v in info.items() if k.startswith('db'))
    finally:
        raw('DEL', 'replies:live')


def test_live_server_replies(raw):
    clients = parse_client_list(raw('CLIENT', 'LIST'))
    assert clients and all('addr' in c and 'cmd' in c for c in clients)
    config = parse_config_get(raw('CONFIG', 'GET', 'maxmemory*'))
    assert config['maxmemory-policy'] in ('noeviction', 'allkeys-lru',
                                          'volatile-lru', 'allkeys-lfu',
                                          'volatile-lfu', 'allkeys-random',
                                          'volatile-random', 'volatile-ttl')
    raw('RPUSH', 'replies:list', 'a', 'b')
    try:
        debug = parse_debug_object(raw('DEBUG', 'OBJECT', 'replies:list'))
        assert debug['type'] == 'Value'
        assert isinstance(debug['refcount'], int)
        assert isinstance(debug['serializedlength'], int)
    finally:
        raw('DEL', 'replies:list')
    # DEBUG SLEEP outlasts the default 10 ms slowlog threshold
    raw('DEBUG', 'SLEEP', '0.02')
    entries = parse_slowlog_get(raw('SLOWLOG', 'GET', '128'))
    slept = [e for e in entries if e['command'] == b'DEBUG SLEEP 0.02']
    assert slept and slept[0]['duration'] >= 20000
    assert set(slept[0]) == {'id', 'start_time', 'duration', 'command'}
