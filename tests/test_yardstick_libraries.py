"""Yardstick: 2.10-era libraries built on redis-py's classes pass their own
test suites on this package wherever they pass on the real 2.10.6.

Each library's sdist is downloaded at test time (none of its code or tests
is kept in this repository) and its own suite runs twice, in venvs of its
own: once with the real redis==2.10.6, once with this checkout on
PYTHONPATH (the real package is never installed there). Both venvs get
hiredis when the env running this module has it, so py3-plain compares
PythonParser and py3-hiredis HiredisParser.

These suites hard-code localhost:6379, so every run happens in a network
namespace of its own (tests/isolated.py) where a harness redis-server
listens there: no source is edited for ports, and the machine's own server
is out of reach. The only run-time shims are a conftest.py restoring names
newer Pythons removed (unittest's old assert aliases, Thread.isAlive) and a
stub of the two ``nose`` modules fakeredis imports (nose itself no longer
imports on Python 3.12); what a test asserts is never changed.

Slow suites are split into several pytest processes, and all of them run at
once: they mostly sleep on timers.
"""
import collections
import concurrent.futures
import faulthandler
import os
import sys
import time

import pytest

import isolated
import yardsticks
from yardstick_sides import (
    BASELINE_REQUIREMENTS, EXPECTED_PARSER, HIREDIS, check_baseline,
    check_checkout, clean_env, package_only_dir)

RUNNER_REQUIREMENTS = ['pytest>=8,<10', 'pytest-timeout>=2']
# one test of these suites takes 4 s at most when it works; a hang costs
# this much
TEST_TIMEOUT = 20
RUN_TIMEOUT = 900

# The first test sets up every run (a few minutes): the env's per-test
# PYTEST_TIMEOUT is not meant for that; each run has RUN_TIMEOUT.
pytestmark = [pytest.mark.yardstick, pytest.mark.slow,
              pytest.mark.timeout(RUN_TIMEOUT + 300)]
PARALLEL_RUNS = 10
DETAILS_LIMIT = 4000


class Library(object):
    """A library and how to run its suite: ``paths`` are given to pytest,
    each of ``split`` (node ids) runs in a pytest process of its own and is
    left out of the process running the rest. ``fails_on_2106`` and
    ``deliberate`` map test ids to the reason."""

    def __init__(self, name, version, uses, requirements, paths, split=(),
                 min_passed=1, fails_on_2106=None, deliberate=None,
                 left_out=None):
        self.name = name
        self.version = version
        self.uses = uses
        self.requirements = list(requirements)
        self.paths = list(paths)
        self.split = list(split)
        self.min_passed = min_passed
        self.fails_on_2106 = dict(fails_on_2106 or {})
        self.deliberate = dict(deliberate or {})
        self.left_out = dict(left_out or {})

    def __repr__(self):
        return 'Library<%s==%s>' % (self.name, self.version)

    @property
    def pin(self):
        return '%s==%s' % (self.name, self.version)

    def runs(self):
        "The pytest arguments of each process that runs this suite"
        rest = list(self.paths)
        for node in self.split:
            rest += ['--deselect', node + '::']
        return [[node] for node in self.split] + [rest]


# Reasons shared by several tests.
PY311_SAMPLE = ('fakeredis 1.0.5 calls random.sample() on a set, which '
                'Python 3.11 refuses (TypeError)')
REDIS7_SCRIPT_BLPOP = ('the suite expects the error BLPOP gave inside a '
                       'script before redis 7; redis 7 runs it')
REDIS7_ZADD_ZERO = ('the suite expects a score of -0 to read back as 0 '
                    'as redis 5 gave it; redis 7 keeps "-0"')


def _each(classes, tests, reason):
    "{test_id: reason} for every test in every class of test_fakeredis.py"
    return {'test_fakeredis.py::%s::%s' % (cls, test): reason
            for cls in classes for test in tests}


_FAKE_STRICT = ('TestFakeStrictRedis', 'TestFakeStrictRedisDecodeResponses')
_REAL_STRICT = ('TestRealStrictRedis', 'TestRealStrictRedisDecodeResponses')

FAKEREDIS = Library(
    'fakeredis', '1.0.5',
    uses='subclasses redis.Connection (its own _connect, connect, can_read '
         'and read_response, a socket and selector of its own), builds '
         'ConnectionPool and Encoder by hand, calls StrictRedis.__init__ '
         'with positional arguments, and runs its whole suite against a '
         'real server as well (the TestReal* classes)',
    requirements=['six>=1.12', 'sortedcontainers>=2,<3', 'lupa>=1.8,<3'],
    paths=['test_fakeredis.py'],
    split=['test_fakeredis.py::' + cls for cls in _FAKE_STRICT + _REAL_STRICT],
    min_passed=1900,
    fails_on_2106=dict(
        _each(_FAKE_STRICT, ('test_spop', 'test_srandmember',
                             'test_srandmember_number'), PY311_SAMPLE),
        **_each(_REAL_STRICT, ('test_eval_blpop',), REDIS7_SCRIPT_BLPOP),
        **_each(_REAL_STRICT, ('test_zadd_minus_zero',), REDIS7_ZADD_ZERO)),
    left_out={'test_fakeredis_hypothesis.py':
              'needs hypothesis 3.x (GenericStateMachine), which no '
              'longer installs on the Pythons this package supports'},
)

ROM = Library(
    'rom', '0.39.5',
    uses='an object mapper: Lua scripts through register_script, '
         'pipelines it recognises by redis.client.BasePipeline, '
         'transactions with WATCH, scan iterators',
    requirements=['six>=1.10'],
    paths=['test/test_rom.py'],
    min_passed=50,
    fails_on_2106={
        'test/test_rom.py::TestORM::test_prefix_suffix_pattern':
            'like() with a NUL byte finds nothing with redis-server 7, '
            'on 2.10.6 just the same (its query script, not the client)',
    },
)

WALRUS = Library(
    'walrus', '0.5.2',
    uses='subclasses Redis (walrus.Database), models, containers, caches, '
         'autocomplete and search built on pipelines, transactions and Lua '
         'scripts',
    requirements=[],
    paths=['walrus/tests.py'],
    min_passed=85,
)

_HUEY_MODULES = ['huey/tests/test_%s.py' % name for name in (
    'consumer', 'crontab', 'hooks', 'pipeline', 'queue', 'registry',
    'storage', 'utils', 'wrapper')]

HUEY = Library(
    'huey', '1.10.4',
    uses='a job queue (the last huey before redis-py 3): ConnectionPool '
         'and from_url, blocking pops, pipelines, a consumer with worker '
         'threads sharing the pool',
    requirements=[],
    # huey.tests.__init__ lists these; test_pipeline's module-level queue
    # sees test_queue's tasks when both run in one process
    paths=_HUEY_MODULES,
    split=['huey/tests/test_pipeline.py'],
    min_passed=75,
    left_out={
        'huey/tests/test_sqlite.py': 'sqlite storage, no redis (and a '
                                     'fixed /tmp path parallel runs share)',
        'huey/tests/test_simple.py': "huey's own toy server over gevent, "
                                     'no redis',
    },
)

LIBRARIES = collections.OrderedDict(
    (lib.name, lib) for lib in (FAKEREDIS, ROM, WALRUS, HUEY))

# ---- run-time shims ---------------------------------------------------------

CONFTEST_SHIM = '''\
# Written at test time by the redis yardstick: names newer Pythons removed,
# so this suite's assertions run unchanged, and the traceback of an
# exception in a thread added to the report of the test it made fail.
import threading
import traceback
import unittest

import pytest

for _old, _new in (('assertRaisesRegexp', 'assertRaisesRegex'),
                   ('assertRegexpMatches', 'assertRegex'),
                   ('assertEquals', 'assertEqual'),
                   ('assertNotEquals', 'assertNotEqual'),
                   ('assertItemsEqual', 'assertCountEqual')):
    if not hasattr(unittest.TestCase, _old):
        setattr(unittest.TestCase, _old, getattr(unittest.TestCase, _new))
if not hasattr(threading.Thread, 'isAlive'):
    threading.Thread.isAlive = threading.Thread.is_alive

_thread_errors = []
_print_thread_error = threading.excepthook


def _record_thread_error(args):
    _thread_errors.append('exception in thread %s:\\n%s' % (
        getattr(args.thread, 'name', '?'), ''.join(traceback.format_exception(
            args.exc_type, args.exc_value, args.exc_traceback))))
    _print_thread_error(args)


threading.excepthook = _record_thread_error


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.when == 'setup':
        del _thread_errors[:]
    elif call.when == 'call' and _thread_errors:
        if report.failed:
            errors = '\\n'.join(_thread_errors)
            report.longrepr = '%s\\n\\n%s' % (report.longrepr, errors)
        del _thread_errors[:]
    return report
'''

NOSE_STUB = {
    'nose/__init__.py': '',
    'nose/plugins/__init__.py': '',
    'nose/plugins/skip.py': 'from unittest import SkipTest  # noqa: F401\n',
    'nose/plugins/attrib.py': (
        'def attr(*names, **values):\n'
        '    "nose\'s attr(): tags a test, changes nothing else"\n'
        '    def tag(function):\n'
        '        for name in names:\n'
        '            setattr(function, name, True)\n'
        '        for name, value in values.items():\n'
        '            setattr(function, name, value)\n'
        '        return function\n'
        '    return tag\n'),
}


def write_files(root, files):
    for relative, text in files.items():
        path = os.path.join(root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write(text)


# ---- running ----------------------------------------------------------------

class Side(object):
    """One way of running the suites: a venv, and the PYTHONPATH that puts
    this checkout (or nothing) in front of it."""

    def __init__(self, label, python, pythonpath):
        self.label = label
        self.python = python
        self.pythonpath = pythonpath

    def __repr__(self):
        return 'Side<%s %s>' % (self.label, self.python)

    def env(self):
        env = clean_env(self.pythonpath)
        # the shards of a suite share its tree: nobody writes into it
        env['PYTHONDONTWRITEBYTECODE'] = '1'
        return env


def _make_sides(libraries, workdir):
    requirements = RUNNER_REQUIREMENTS[:]
    for library in libraries:
        requirements += [library.pin] + library.requirements
    shims = os.path.join(workdir, 'shims')
    write_files(shims, NOSE_STUB)
    checkout_only = package_only_dir(os.path.join(workdir, 'checkout'))
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        baseline = pool.submit(yardsticks.make_venv, 'libraries-2106',
                               BASELINE_REQUIREMENTS + requirements,
                               hiredis=HIREDIS)
        ours = pool.submit(yardsticks.make_venv, 'libraries-checkout',
                           requirements, hiredis=HIREDIS)
        return (Side('2.10.6', baseline.result(), [shims]),
                Side('checkout', ours.result(), [checkout_only, shims]))


def _run_one(library, side, args, source, wrappers):
    started = time.monotonic()
    # no:threadexception: the conftest shim reports those exceptions itself.
    # Native tracebacks: pytest's own formatting crashes the whole run
    # (INTERNALERROR) on a frame without a line number, as a timeout's
    # signal can leave on Python 3.11.
    args = ['-q', '-p', 'no:threadexception', '--tb=native',
            '--timeout', str(TEST_TIMEOUT)] + args
    outcomes = yardsticks.run_pytest(wrappers[side.label], args, source,
                                     env=side.env(), timeout=RUN_TIMEOUT)
    return outcomes, time.monotonic() - started


class SuiteResults(object):
    "What each side gave for one library: {test_id: Outcome}, or an error"

    def __init__(self, library):
        self.library = library
        self.outcomes = {}
        self.errors = {}
        self.seconds = collections.Counter()

    def __repr__(self):
        return 'SuiteResults<%s %s>' % (self.library.name, {
            side: len(outcomes) for side, outcomes in self.outcomes.items()})

    def add(self, side, outcomes, seconds):
        self.outcomes.setdefault(side, {}).update(outcomes)
        self.seconds[side] = max(self.seconds[side], seconds)


def run_libraries(libraries, workdir):
    "{name: SuiteResults}, every run of every library side by side"
    isolated.check_isolation()
    baseline, ours = _make_sides(libraries, workdir)
    check_baseline(baseline.python, baseline.env())
    check_checkout(ours.python, ours.env())
    wrappers = {side.label: isolated.wrap_python(
        side.python, os.path.join(workdir, 'wrap-' + side.label[0]))
        for side in (baseline, ours)}
    results = {}
    jobs = {}
    with concurrent.futures.ThreadPoolExecutor(PARALLEL_RUNS) as pool:
        for library in libraries:
            results[library.name] = SuiteResults(library)
            source = yardsticks.fetch_sdist(
                library.name, library.version,
                os.path.join(workdir, 'src-' + library.name))
            with open(os.path.join(source, 'conftest.py'), 'x') as f:
                f.write(CONFTEST_SHIM)
            for side in (baseline, ours):
                for args in library.runs():
                    future = pool.submit(_run_one, library, side, args,
                                         source, wrappers)
                    jobs[future] = (library.name, side.label)
        for future, (name, label) in jobs.items():
            try:
                outcomes, seconds = future.result()
            except yardsticks.YardstickError as e:
                results[name].errors[label] = str(e)
            else:
                results[name].add(label, outcomes, seconds)
    return results


# ---- comparing --------------------------------------------------------------

def regressions(library, baseline, ours):
    """[(test_id, outcome on 2.10.6, outcome here)] for each test that
    passed on 2.10.6 and does not here, or was skipped there and fails
    here; deliberate differences excepted."""
    found = []
    for test_id, before in sorted(baseline.items()):
        after = ours.get(test_id, 'missing')
        if test_id in library.deliberate or before == after:
            continue
        if before == 'passed' or (before == 'skipped'
                                  and after not in ('passed', 'skipped')):
            found.append((test_id, str(before), str(after)))
    return found


def report(library, baseline, ours, found):
    lines = ['%s: %d test(s) that work on redis-py 2.10.6 fail on this '
             'package (%s, %s):' % (library.pin, len(found),
                                    EXPECTED_PARSER, sys.version.split()[0])]
    for test_id, before, after in found:
        lines.append('  %s: %s on 2.10.6, %s here' % (test_id, before, after))
    for test_id, before, after in found:
        details = getattr(ours.get(test_id), 'details', '') or '(no output)'
        if len(details) > DETAILS_LIMIT:
            details = '...' + details[-DETAILS_LIMIT:]
        lines += ['', '---- %s ----' % test_id, details]
    unlisted = sorted(test_id for test_id, outcome in baseline.items()
                      if outcome in ('failed', 'error')
                      and test_id not in library.fails_on_2106)
    if unlisted:
        lines += ['', 'also failing on 2.10.6 itself, not listed in '
                      'fails_on_2106 (not counted):'] + ['  ' + t
                                                          for t in unlisted]
    return '\n'.join(lines)


@pytest.fixture(scope='module')
def library_results(request, tmp_path_factory):
    """Runs every library this session selected, all at once; the
    per-library tests then only compare."""
    wanted = []
    for item in request.session.items:
        callspec = getattr(item, 'callspec', None)
        if item.module.__name__ == __name__ and callspec is not None:
            name = callspec.params.get('library_name')
            if name in LIBRARIES and LIBRARIES[name] not in wanted:
                wanted.append(LIBRARIES[name])
    workdir = str(tmp_path_factory.mktemp('yardstick-libraries'))
    # Every run has its own time limit; the ini's faulthandler_timeout,
    # sized for one test, would dump every thread while they wait.
    faulthandler.dump_traceback_later(2 * RUN_TIMEOUT, file=sys.__stderr__)
    started = time.monotonic()
    results = run_libraries(wanted, workdir)
    sys.stdout.write('\nlibrary yardstick (%s): %.0f s in all\n'
                     % (EXPECTED_PARSER, time.monotonic() - started))
    return results


@pytest.mark.parametrize('library_name', list(LIBRARIES))
def test_library_suite_passes_as_on_2106(library_results, library_name):
    results = library_results[library_name]
    library = results.library
    assert not results.errors, '\n\n'.join(
        '%s on %s did not run:\n%s' % (library.pin, side, error)
        for side, error in sorted(results.errors.items()))
    baseline = results.outcomes['2.10.6']
    ours = results.outcomes['checkout']
    print('%s: %s on 2.10.6 in %.0f s, %s here in %.0f s' % (
        library.pin, dict(collections.Counter(baseline.values())),
        results.seconds['2.10.6'], dict(collections.Counter(ours.values())),
        results.seconds['checkout']))
    passed = sum(1 for outcome in baseline.values() if outcome == 'passed')
    # a suite that hardly runs on 2.10.6 would compare nothing
    assert passed >= library.min_passed, (
        '%s: only %d tests pass on redis-py 2.10.6 (expected %d or more):\n%s'
        % (library.pin, passed, library.min_passed,
           report(library, baseline, ours, [])))
    found = regressions(library, baseline, ours)
    assert not found, report(library, baseline, ours, found)
