"""ACL commands (Redis 6+) against real servers started by the harness,
under both parsers, with bytes and with decode_responses replies. Tests
that add users, read or reset the ACL log, or need an ACL file use a
server of their own."""
import hashlib

import pytest

from redis.exceptions import DataError, ResponseError

from checks import same
from modes import client_in_mode
from servers import RawReplyError


@pytest.fixture
def own(make_server, make_client, decode):
    "A client, in the mode under test, of a server of the test's own"
    return client_in_mode(make_client, decode, make_server())


# ---- reading the ACL -----------------------------------------------------------

def test_whoami_cat_users_list_help(client):
    same(client.acl_whoami(), 'default')
    categories = client.acl_cat()
    assert {'read', 'write', 'dangerous'} <= set(categories)
    assert all(isinstance(c, str) for c in categories)
    commands = client.acl_cat('string')
    assert 'get' in commands and all(isinstance(c, str) for c in commands)
    users = client.acl_users()
    assert 'default' in users and all(isinstance(u, str) for u in users)
    rules = client.acl_list()
    assert any(rule.startswith('user default on') for rule in rules)
    assert all(isinstance(rule, str) for rule in rules)
    text = client.acl_help()
    assert text and all(isinstance(line, str) for line in text)


def test_getuser_of_default_and_of_nobody(client):
    user = client.acl_getuser('default')
    assert user['enabled'] is True
    assert 'on' in user['flags'] and 'nopass' in user['flags']
    same(user['passwords'], [])
    same(user['keys'], ['~*'])
    same(user['channels'], ['&*'])
    same(user['categories'], ['+@all'])
    same(user['commands'], [])
    same(client.acl_getuser('nobody-at-all'), None)


def test_genpass(client):
    password = client.acl_genpass()
    assert isinstance(password, str) and len(password) == 64
    int(password, 16)
    # 5 bits take two hex digits; each call is new
    assert len(client.acl_genpass(5)) == 2
    assert len(client.acl_genpass(4096)) == 1024
    assert client.acl_genpass() != password


def test_dryrun(own):
    own.acl_setuser('reader', enabled=True, nopass=True, commands=['+get'],
                    keys=['k*'])
    same(own.acl_dryrun('reader', 'get', 'k1'), own.conv(b'OK'))
    refused = own.acl_dryrun('reader', 'set', 'k1', 'v')
    assert isinstance(refused, type(own.conv(b'')))
    assert own.conv(b'set') in refused
    with pytest.raises(ResponseError, match='User'):
        own.acl_dryrun('nobody-at-all', 'get', 'k')


# ---- changing users ----------------------------------------------------------

def test_setuser_every_option(own):
    ok = own.acl_setuser(
        'alice', enabled=True, passwords=['+first', '+second'],
        hashed_passwords='+' + hashlib.sha256(b'third').hexdigest(),
        categories=['+hash', '-@dangerous', '+@list'],
        commands=['+set', '-lpop'], keys=['cache:*', '%R~logs:*'],
        channels=['news.*'], selectors=[('+get', 'x*'), ('+del', '~y*')])
    same(ok, True)
    user = own.acl_getuser('alice')
    assert user['enabled'] is True and 'on' in user['flags']
    assert all(isinstance(p, str) for p in user['passwords'])
    assert sorted(user['passwords']) == sorted(
        hashlib.sha256(p).hexdigest() for p in (b'first', b'second',
                                                 b'third'))
    same(user['keys'], ['~cache:*', '%R~logs:*'])
    same(user['channels'], ['&news.*'])
    # (the server rewrites categories into its own minimal form)
    assert '+@hash' in user['categories'] and '+@list' in user['categories']
    same(own.acl_dryrun('alice', 'hget', 'cache:h', 'f'), own.conv(b'OK'))
    same(own.acl_dryrun('alice', 'lpush', 'cache:l', 'v'), own.conv(b'OK'))
    assert own.acl_dryrun('alice', 'flushall') != own.conv(b'OK')
    assert '+set' in user['commands'] and '-lpop' in user['commands']
    assert own.acl_dryrun('alice', 'lpop', 'cache:l') != own.conv(b'OK')
    same(user['selectors'], [
        ['commands', '-@all +get', 'keys', '~x*', 'channels', ''],
        ['commands', '-@all +del', 'keys', '~y*', 'channels', '']])
    # the passwords work, a removed one stops working
    conn = own.server.raw_connection()
    try:
        assert conn.command('AUTH', 'alice', 'second') == 'OK'
        own.acl_setuser('alice', enabled=True, passwords='-second')
        with pytest.raises(RawReplyError, match='WRONGPASS'):
            conn.command('AUTH', 'alice', 'second')
        assert conn.command('AUTH', 'alice', 'third') == 'OK'
    finally:
        conn.close()
    same(own.acl_deluser('alice', 'nobody-at-all'), 1)
    same(own.acl_getuser('alice'), None)


def test_setuser_resets_and_disables(own):
    own.acl_setuser('bob', enabled=True, passwords=['+pw'], keys=['a*'],
                    channels=['c'], commands=['+get'])
    same(own.acl_setuser('bob', enabled=True, reset_keys=True,
                         reset_channels=True, reset_passwords=True,
                         nopass=True, keys=['b*']), True)
    user = own.acl_getuser('bob')
    same(user['keys'], ['~b*'])
    same(user['channels'], [])
    same(user['passwords'], [])
    assert 'nopass' in user['flags']
    assert '+get' in user['commands']
    own.acl_setuser('bob', reset=True)
    user = own.acl_getuser('bob')
    assert user['enabled'] is False and 'off' in user['flags']
    same(user['keys'], [])
    same(user['commands'], [])
    assert 'bob' in own.acl_users()


def test_setuser_takes_bytes(own):
    same(own.acl_setuser(b'carol', enabled=True, passwords=[b'+pw'],
                         keys=[b'k\xc3\xa9*'], channels=[b'ch'],
                         categories=[b'+read'], commands=[b'+set'],
                         selectors=[(b'+get', b'x*')]), True)
    user = own.acl_getuser('carol')
    same(user['keys'], ['~k\xe9*'])
    same(user['passwords'], [hashlib.sha256(b'pw').hexdigest()])
    assert '+@read' in user['categories'] and '+set' in user['commands']
    same(len(user['selectors']), 1)


@pytest.mark.parametrize('kwargs, message', [
    ({'nopass': True, 'passwords': ['+pw']}, 'nopass'),
    ({'nopass': True, 'hashed_passwords': ['+ab']}, 'nopass'),
    ({'passwords': ['pw']}, 'Password 0'),
    ({'passwords': ['+ok', 'pw']}, 'Password 1'),
    ({'hashed_passwords': 'ab'}, 'Hashed password 0'),
    ({'categories': ['read']}, 'Category'),
    ({'commands': ['get']}, 'Command'),
    ({'selectors': [('get', 'x*')]}, 'Command'),
])
def test_setuser_bad_rules_send_nothing(offline, kwargs, message):
    # offline: anything sent would raise ConnectionError
    with pytest.raises(DataError, match=message):
        offline.acl_setuser('someone', **kwargs)


@pytest.mark.parametrize('bits', [0, -1, 4097, 'x', 2.5, True])
def test_genpass_bad_bits_send_nothing(offline, bits):
    with pytest.raises(DataError, match='between 1 and 4096'):
        offline.acl_genpass(bits)


@pytest.mark.parametrize('count', ['1', 1.0, True])
def test_log_bad_count_sends_nothing(offline, count):
    with pytest.raises(DataError, match='integer'):
        offline.acl_log(count)


# ---- the ACL log ---------------------------------------------------------------

def test_log_and_reset(own):
    own.acl_setuser('dave', enabled=True, passwords=['+pw'],
                    commands=['+get'], keys=['*'])
    conn = own.server.raw_connection()
    try:
        with pytest.raises(RawReplyError, match='WRONGPASS'):
            conn.command('AUTH', 'dave', 'wrong')
        assert conn.command('AUTH', 'dave', 'pw') == 'OK'
        with pytest.raises(RawReplyError, match='NOPERM'):
            conn.command('SET', 'k', 'v')
    finally:
        conn.close()
    entries = own.acl_log()
    same(len(entries), 2)
    # newest first
    denied, failed = entries
    same(denied['reason'], 'command')
    same(denied['object'], 'set')
    same(denied['username'], 'dave')
    same(failed['reason'], 'auth')
    same(failed['count'], 1)
    assert isinstance(failed['age-seconds'], float)
    info = denied['client-info']
    assert isinstance(info['id'], int) and isinstance(info['db'], int)
    same(info['user'], 'dave')
    same(len(own.acl_log(count=1)), 1)
    same(own.acl_log_reset(), True)
    same(own.acl_log(), [])


# ---- the ACL file --------------------------------------------------------------

def test_save_and_load(make_server, make_client, decode, tmp_path):
    acl_file = tmp_path / 'users.acl'
    acl_file.write_text('')
    server = make_server(extra_args=['--aclfile', str(acl_file)])
    client = make_client(server=server, decode_responses=decode)
    client.acl_setuser('erin', enabled=True, nopass=True)
    same(client.acl_save(), True)
    assert 'user erin on' in acl_file.read_text()
    client.acl_deluser('erin')
    same(client.acl_load(), True)
    assert 'erin' in client.acl_users()


def test_save_and_load_without_a_file(own):
    with pytest.raises(ResponseError, match='ACL file'):
        own.acl_save()
    with pytest.raises(ResponseError, match='ACL file'):
        own.acl_load()


def test_server_without_acl_gives_its_error(make_server, make_client,
                                            decode):
    # as a server older than 6.0 would answer
    server = make_server(extra_args=['--rename-command', 'ACL', ''])
    client = make_client(server=server, decode_responses=decode)
    with pytest.raises(ResponseError, match='unknown command'):
        client.acl_whoami()
    with pytest.raises(ResponseError, match='unknown command'):
        client.acl_setuser('frank', enabled=True)
