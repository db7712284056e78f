"""Conformance with redis-py 2.10.6: the test suite of its source
distribution on PyPI, downloaded at test time (never kept in this repo),
runs against this checkout and against the real 2.10.6 on the same
redis-server. Every test that 2.10.6 passes must pass here too, on the
parser of the tox env (PythonParser in -plain, HiredisParser in -hiredis).
"""
import os
import re
import shutil
import sys

import pytest

import servers
import yardsticks

pytestmark = [pytest.mark.yardstick, pytest.mark.slow]

CHECKOUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUITE_TIMEOUT = 300

# The 2.10.6 suite's tests that fail on 2.10.6 itself against the harness's
# server; kept exact by test_2106_failures_are_the_listed_ones.
FAILING_ON_2106 = {
    'tests/test_commands.py::TestRedisCommands::test_config_set':
        "Redis 7 refuses to CONFIG SET 'dbfilename' (a protected config)",
}

# Tests of 2.10.6 behaviour that README lists among the deliberate
# differences: they may fail here.
DELIBERATE_DIFFERENCES = {
    'tests/test_connection_pool.py::TestConnectionPoolURLParsing::'
    'test_invalid_extra_typed_querystring_options':
        'from_url raises ValueError for ?socket_timeout=_ instead of '
        'dropping the option with a warning',
}


def _expected_parser():
    factors = os.environ.get('TOX_ENV_NAME', '').split('-')
    if 'hiredis' in factors:
        return 'HiredisParser'
    if 'plain' in factors:
        return 'PythonParser'
    return 'HiredisParser' if _hiredis_version() else 'PythonParser'


def _hiredis_version():
    try:
        import hiredis
    except ImportError:
        return None
    return hiredis.__version__


def shim_suite(tests_dir, port):
    """What the 2.10.6 suite needs to run here, and nothing that changes
    what a test asserts."""
    def rewrite(filename, *substitutions, append=''):
        path = os.path.join(tests_dir, filename)
        with open(path) as f:
            text = f.read()
        for pattern, replacement in substitutions:
            text, count = re.subn(pattern, replacement, text)
            assert count, 'shim %r found nothing in %s' % (pattern, path)
        with open(path, 'w') as f:
            f.write(text + append)

    # Its server is localhost:6379 (the conftest's clients and the fake
    # sentinels' master): the harness's server instead.
    port_shim = (r'\b6379\b', str(port))
    rewrite('test_sentinel.py', port_shim)
    # Its test modules call the fixture r() as a function, which pytest >= 4
    # refuses: each fixture becomes a plain function, registered again as
    # the fixture of the same name.
    with open(os.path.join(tests_dir, 'conftest.py')) as f:
        fixtures = re.findall(r'@pytest\.fixture\(\)\ndef (\w+)\(', f.read())
    rewrite('conftest.py', port_shim,
            (r'from mock import', 'from unittest.mock import'),
            # distutils is gone from Python 3.12
            (r'from distutils.version import StrictVersion\n',
             'try:\n    from distutils.version import StrictVersion\n'
             'except ImportError:\n'
             '    from packaging.version import Version as StrictVersion\n'),
            (r'@pytest\.fixture\(\)\ndef ', 'def '),
            append=''.join('\n_fixture_%s = pytest.fixture(name=%r)(%s)\n'
                           % (name, name, name) for name in fixtures))


@pytest.fixture(scope='module')
def server():
    server = servers.RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope='module')
def suite(server, tmp_path_factory):
    "The shimmed tests/ of the 2.10.6 sdist, alone in a dir of its own"
    sdist = yardsticks.fetch_sdist('redis', '2.10.6',
                                   str(tmp_path_factory.mktemp('sdist')))
    # not run from the sdist's dir: its redis/ would shadow the tested one
    root = str(tmp_path_factory.mktemp('suite-2106'))
    shutil.copytree(os.path.join(sdist, 'tests'),
                    os.path.join(root, 'tests'))
    shim_suite(os.path.join(root, 'tests'), server.port)
    return root


def _run_suite(python, pythonpath, suite, server, expect_file_in):
    "{test_id: Outcome} of the suite, after checking what it will import"
    env = {k: v for k, v in os.environ.items()
           if k not in ('PYTHONPATH', 'PYTEST_ADDOPTS')}
    # The suite needs no plugin; the env's (hypothesis is slow to load)
    # would make the two runs differ.
    env['PYTEST_DISABLE_PLUGIN_AUTOLOAD'] = '1'
    if pythonpath:
        env['PYTHONPATH'] = pythonpath
    probe = yardsticks.run_checked(
        [python, '-c', 'import redis.connection as c; '
         'print(c.DefaultParser.__name__, c.__file__)'],
        cwd=suite, env=env).split()
    assert probe[0] == _expected_parser(), (
        '%s uses %s, this env expects %s' % (probe[1], probe[0],
                                             _expected_parser()))
    assert probe[1].startswith(expect_file_in), (
        'the suite would test %s, not the redis in %s'
        % (probe[1], expect_file_in))
    # the same clean server for either run
    server.restart()
    return yardsticks.run_pytest(python, ['tests'], cwd=suite, env=env,
                                 timeout=SUITE_TIMEOUT)


@pytest.fixture(scope='module')
def real_2106(suite, server):
    requirements = ['redis==2.10.6', 'pytest']
    if sys.version_info >= (3, 12):
        requirements.append('setuptools')  # 2.10.6 imports distutils
    hiredis = False
    if _expected_parser() == 'HiredisParser':
        # the env's own hiredis, so both runs parse with the same one
        version = _hiredis_version()
        hiredis = 'hiredis==%s' % version if version else True
    python = yardsticks.make_venv('redis-2.10.6', requirements, hiredis)
    venv = os.path.dirname(os.path.dirname(python))
    return _run_suite(python, None, suite, server, venv)


@pytest.fixture(scope='module')
def this_package(suite, server):
    return _run_suite(sys.executable, CHECKOUT, suite, server,
                      os.path.join(CHECKOUT, 'redis'))


def _failed(outcomes):
    return {test_id for test_id, outcome in outcomes.items()
            if outcome in ('failed', 'error')}


def test_2106_failures_are_the_listed_ones(real_2106):
    unlisted = _failed(real_2106) - set(FAILING_ON_2106)
    passing = [test_id for test_id in FAILING_ON_2106
               if real_2106.get(test_id) == 'passed']
    unknown = [test_id for test_id in DELIBERATE_DIFFERENCES
               if test_id not in real_2106]
    assert not unlisted, '2.10.6 fails tests not in FAILING_ON_2106:\n' + (
        '\n\n'.join('%s\n%s' % (test_id, real_2106[test_id].details)
                    for test_id in sorted(unlisted)))
    assert not passing, ('in FAILING_ON_2106 but passing on 2.10.6: %s'
                         % passing)
    assert not unknown, 'DELIBERATE_DIFFERENCES names no test: %s' % unknown


def test_every_test_2106_passes_passes_here(real_2106, this_package):
    regressions = sorted(
        test_id for test_id, outcome in real_2106.items()
        if outcome == 'passed' and test_id not in DELIBERATE_DIFFERENCES
        and this_package.get(test_id) != 'passed')
    reports = []
    for test_id in regressions:
        outcome = this_package.get(test_id)
        reports.append('%s: %s here\n%s' % (
            test_id, outcome or 'not run',
            outcome.details if outcome else ''))
    assert not regressions, (
        '%d of the tests 2.10.6 passes (%s) fail with this package:\n%s\n\n%s'
        % (len(regressions), _expected_parser(), '\n'.join(regressions),
           '\n\n'.join(reports)))
