"""Every command of the test server (COMMAND LIST, subcommands included)
has a StrictRedis method or a reason in redis.commands.coverage, the one
list of what is not offered; the README shows that list as it is."""
import os

import pytest

import redis
from redis.commands import coverage


def _text(value):
    return value.decode() if isinstance(value, bytes) else value


@pytest.fixture(scope='module')
def server_commands(redis_server):
    """The server's commands as coverage keys ('CLIENT NO-EVICT'), the
    containers (CLIENT, CONFIG, ...) left out: their subcommands count"""
    names = [_text(name) for name in redis_server.command('COMMAND', 'LIST')]
    if not any('|' in name for name in names):
        # a server whose COMMAND LIST leaves the subcommands out
        for info in redis_server.command('COMMAND', 'INFO', *names):
            if info and len(info) > 9:
                names.extend(_text(sub[0]) for sub in info[9])
    keys = set(coverage.command_key(name) for name in names)
    containers = set(key.split(' ', 1)[0] for key in keys if ' ' in key)
    return sorted(keys - containers)


def test_server_lists_subcommands(server_commands):
    # the test means nothing if the subcommands went missing
    assert 'CLIENT LIST' in server_commands
    assert 'CONFIG SET' in server_commands
    assert 'CLIENT' not in server_commands


def test_every_command_has_a_method_or_a_reason(server_commands):
    missing = [command for command in server_commands
               if not hasattr(redis.StrictRedis,
                              coverage.method_name(command))
               and coverage.not_offered_reason(command) is None]
    assert missing == [], (
        'commands with neither a StrictRedis method nor a reason in '
        'redis.commands.coverage: %s' % ', '.join(missing))


def test_every_listed_command_exists(server_commands):
    # no stale entry: each one is a command of the server
    known = set(server_commands)
    listed = set(coverage.NOT_OFFERED) | set(coverage.PARTLY_OFFERED)
    assert sorted(listed - known) == []


def test_partly_offered_commands_have_their_method():
    for command in coverage.PARTLY_OFFERED:
        assert hasattr(redis.StrictRedis, coverage.method_name(command))


def test_method_names():
    assert coverage.method_name('CLIENT NO-EVICT') == 'client_no_evict'
    assert coverage.method_name('MEMORY MALLOC-STATS') == \
        'memory_malloc_stats'
    assert coverage.method_name('EVAL_RO') == 'eval_ro'
    assert coverage.method_name('DEL') == 'delete'
    assert coverage.method_name('CLUSTER COUNT-FAILURE-REPORTS') == \
        'cluster'
    assert coverage.method_name('OBJECT FREQ') == 'object'
    assert coverage.command_key('client|no-evict') == 'CLIENT NO-EVICT'
    assert coverage.not_offered_reason('CONFIG HELP') == coverage.HELP
    assert coverage.not_offered_reason('SELECT') is not None
    assert coverage.not_offered_reason('GET') is None
    assert coverage.not_offered_reason('CONFIG GET') is None


def test_readme_shows_the_list():
    path = os.path.join(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), 'README.rst')
    with open(path) as f:
        readme = f.read()
    section = readme.split('Commands not offered as methods\n', 1)[1]
    assert coverage.readme_text() in section.split('\n\n\n', 1)[0] + '\n'
