"""Scripting, PUBLISH/PUBSUB, and the SENTINEL and CLUSTER wrappers against
real servers, under both parsers. A plain server must turn the sentinel and
cluster commands into ResponseError; a throwaway cluster-enabled server
checks the CLUSTER replies."""
import hashlib
import threading
import time

import pytest

import servers

from redis.exceptions import NoScriptError, ResponseError

from checks import same


def sha1(script):
    return hashlib.sha1(script.encode('utf-8')).hexdigest()


# ---- EVAL / EVALSHA ---------------------------------------------------------

def test_eval_returns_the_scripts_value(r, rd):
    same(r.eval('return 1', 0), 1)
    same(r.eval('return "text"', 0), b'text')
    same(rd.eval('return "text"', 0), 'text')
    same(r.eval('return nil', 0), None)
    same(r.eval('return {1, "two", {3}}', 0), [1, b'two', [3]])
    same(r.eval("return redis.status_reply('FINE')", 0), b'FINE')


def test_eval_keys_and_args(r, rd):
    script = 'return {KEYS[1], KEYS[2], ARGV[1], ARGV[2]}'
    same(r.eval(script, 2, 'k1', 'k2', 'a1', 2.5),
         [b'k1', b'k2', b'a1', b'2.5'])
    same(rd.eval(script, 2, u'\u20ac', b'\xc3\xbc', 'x', 'y'),
         [u'\u20ac', u'\u00fc', 'x', 'y'])
    same(r.eval('return ARGV[1]', 0, b'\x00\xff'), b'\x00\xff')


def test_eval_touches_keys(r):
    same(r.eval("return redis.call('SET', KEYS[1], ARGV[1])", 1, 'k', 'v'),
         b'OK')
    same(r.get('k'), b'v')


def test_eval_errors_are_response_errors(r):
    with pytest.raises(ResponseError, match='MY'):
        r.eval("return redis.error_reply('MY own error')", 0)
    with pytest.raises(ResponseError):
        r.eval('this is not lua', 0)
    with pytest.raises(ResponseError):
        r.eval('return 1', 2, 'only-one-key')


def test_script_load_and_evalsha(r, rd):
    script = 'return ARGV[1] .. KEYS[1]'
    sha = r.script_load(script)
    # 2.10.6 decodes the sha even without decode_responses
    same(sha, sha1(script))
    same(rd.script_load(script), sha1(script))
    same(r.evalsha(sha, 1, 'key', 'arg-'), b'arg-key')
    same(rd.evalsha(sha, 1, 'key', 'arg-'), 'arg-key')


def test_evalsha_of_an_unknown_script(r):
    with pytest.raises(NoScriptError):
        r.evalsha(sha1('return "never loaded"'), 0)


def test_script_exists(r):
    loaded = r.script_load('return 1')
    unknown = sha1('return "never loaded"')
    same(r.script_exists(loaded), [True])
    same(r.script_exists(loaded, unknown, loaded), [True, False, True])


def test_script_flush(r):
    sha = r.script_load('return 2')
    same(r.script_flush(), True)
    same(r.script_exists(sha), [False])


def test_script_kill_with_nothing_running(r):
    with pytest.raises(ResponseError, match='NOTBUSY'):
        r.script_kill()


def test_script_kill_stops_a_busy_script(r, make_client, redis_server):
    # A script is only killable once it has run longer than lua-time-limit
    old_limit = redis_server.command('CONFIG', 'GET', 'lua-time-limit')[1]
    r.config_set('lua-time-limit', 10)
    # busy for at most 3 seconds, so a failed kill cannot wedge the server
    busy = ("local start = redis.call('TIME')[1] "
            "while redis.call('TIME')[1] - start < 3 do end return 'done'")
    runner = make_client()
    outcome = []

    def run():
        try:
            outcome.append(runner.eval(busy, 0))
        except ResponseError as e:
            outcome.append(e)

    thread = threading.Thread(target=run)
    try:
        thread.start()
        # NOTBUSY until the runner thread has started the script, which a
        # loaded machine may delay; the bound only keeps a failure finite
        deadline = time.monotonic() + 30
        while True:
            try:
                killed = r.script_kill()
                break
            except ResponseError as e:
                # NOTBUSY: the script has not started yet
                assert 'NOTBUSY' in str(e)
                assert time.monotonic() < deadline
                time.sleep(0.005)
        same(killed, True)
        thread.join(5)
        assert isinstance(outcome[0], ResponseError)
        assert 'killed' in str(outcome[0])
    finally:
        thread.join(5)
        redis_server.command('CONFIG', 'SET', 'lua-time-limit', old_limit)


# ---- PUBLISH / PUBSUB -------------------------------------------------------

@pytest.fixture
def subscriber(r):
    """subscriber(command, *channels): a separate connection of ``r`` that
    has run SUBSCRIBE or PSUBSCRIBE; closed after the test"""
    connections = []

    def subscribe(command, *channels):
        connection = r.connection_pool.make_connection()
        connections.append(connection)
        connection.send_command(command, *channels)
        for _ in channels:
            connection.read_response()
        return connection

    yield subscribe
    for connection in connections:
        connection.disconnect()


def test_publish(r, rd, subscriber):
    same(r.publish('chan', 'nobody listens'), 0)
    listener = subscriber('SUBSCRIBE', 'chan', b'\xff\x00')
    same(r.publish('chan', 'hello'), 1)
    same(rd.publish(b'\xff\x00', u'\u20ac'), 1)
    same(listener.read_response(), [b'message', b'chan', b'hello'])
    same(listener.read_response(),
         [b'message', b'\xff\x00', u'\u20ac'.encode('utf-8')])


def test_pubsub_channels(r, rd, subscriber):
    same(r.pubsub_channels(), [])
    subscriber('SUBSCRIBE', 'news.tech', 'news.art', 'weather')
    same(sorted(r.pubsub_channels()), [b'news.art', b'news.tech', b'weather'])
    same(sorted(rd.pubsub_channels('news.*')), ['news.art', 'news.tech'])
    same(r.pubsub_channels('nothing*'), [])


def test_pubsub_numsub(r, rd, subscriber):
    same(r.pubsub_numsub(), [])
    subscriber('SUBSCRIBE', 'a', 'b')
    subscriber('SUBSCRIBE', 'a')
    same(r.pubsub_numsub('a', 'b', 'c'), [(b'a', 2), (b'b', 1), (b'c', 0)])
    same(rd.pubsub_numsub('b'), [('b', 1)])


def test_pubsub_numpat(r, subscriber):
    same(r.pubsub_numpat(), 0)
    subscriber('PSUBSCRIBE', 'news.*', 'a*')
    same(r.pubsub_numpat(), 2)


# ---- SENTINEL on a plain server ---------------------------------------------

# (method, args, the arguments the server saw after SENTINEL)
SENTINEL_CALLS = [
    ('sentinel_get_master_addr_by_name', ('mymaster',),
     "'GET-MASTER-ADDR-BY-NAME' 'mymaster'"),
    ('sentinel_master', ('mymaster',), "'MASTER' 'mymaster'"),
    ('sentinel_masters', (), "'MASTERS'"),
    ('sentinel_monitor', ('mymaster', '127.0.0.1', 6390, 2),
     "'MONITOR' 'mymaster' '127.0.0.1' '6390' '2'"),
    ('sentinel_remove', ('mymaster',), "'REMOVE' 'mymaster'"),
    ('sentinel_sentinels', ('mymaster',), "'SENTINELS' 'mymaster'"),
    ('sentinel_set', ('mymaster', 'quorum', 3),
     "'SET' 'mymaster' 'quorum' '3'"),
    ('sentinel_slaves', ('mymaster',), "'SLAVES' 'mymaster'"),
]


@pytest.mark.parametrize('method, args, sent', SENTINEL_CALLS,
                         ids=[call[0] for call in SENTINEL_CALLS])
def test_sentinel_commands_on_a_plain_server(r, method, args, sent):
    with pytest.raises(ResponseError) as info:
        getattr(r, method)(*args)
    message = str(info.value)
    assert message.startswith("unknown command 'SENTINEL'")
    assert 'with args beginning with: %s ' % sent in message


# ---- CLUSTER ----------------------------------------------------------------

@pytest.mark.parametrize('args', [('info',), ('nodes',), ('keyslot', 'k'),
                                  ('addslots', 1, 2), ('Slaves', 'x')],
                         ids=lambda args: args[0])
def test_cluster_on_a_plain_server(r, args):
    with pytest.raises(ResponseError,
                       match='cluster support disabled'):
        r.cluster(*args)


@pytest.fixture
def cluster_node(make_server, make_client):
    "A client of a throwaway single cluster-enabled server"
    # an explicit bus port: the default, port + 10000, may not exist
    server = make_server(extra_args=(
        '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf',
        '--cluster-port', str(servers.free_port())))
    return server, make_client(server=server)


def test_cluster_info(cluster_node):
    server, client = cluster_node
    info = client.cluster('info')
    same(info['cluster_state'], 'fail')
    same(info['cluster_slots_assigned'], '0')
    same(info['cluster_known_nodes'], '1')
    assert all(isinstance(k, str) and isinstance(v, str)
               for k, v in info.items())


def test_cluster_keyslot_and_countkeysinslot(cluster_node):
    server, client = cluster_node
    same(client.cluster('keyslot', 'foo'), 12182)
    same(client.cluster('KEYSLOT', b'{user1000}.following'), 3443)
    same(client.cluster('countkeysinslot', 12182), 0)


def test_cluster_slots_and_nodes(cluster_node):
    server, client = cluster_node
    same(client.cluster('addslots', 0, 1, 2, 5), True)
    same(client.cluster('delslots', 5), True)
    nodes = client.cluster('nodes')
    same(len(nodes), 1)
    address, node = list(nodes.items())[0]
    # a lone node does not know its own IP yet: ':port@busport'
    assert ':%d@' % server.port in address
    same(node['slots'], [['0', '2']])
    same(node['connected'], True)
    same(node['master_id'], '-')
    assert 'myself' in node['flags']
    same(len(node['node_id']), 40)
    same(client.cluster('info')['cluster_slots_assigned'], '3')
    same(client.cluster('saveconfig'), True)


def test_cluster_errors(cluster_node):
    server, client = cluster_node
    with pytest.raises(ResponseError):
        client.cluster('nosuchsubcommand')
    with pytest.raises(ResponseError):
        client.cluster('addslots', 99999)
