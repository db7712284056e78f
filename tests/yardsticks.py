"""Run a published pytest suite (redis-py's own, or a library's that uses
redis) in a subprocess and collect its outcomes per test id.

Venvs and downloads are made once per run: under $YARDSTICK_CACHE when it
is set (tox shares one between its envs), else in a temp dir removed when
the process exits.

A venv meant to test THIS package never gets the real ``redis`` from
PyPI: unless ``redis`` itself is one of the requirements, make_venv
installs the rest of the dependency tree without it, and the caller puts
this checkout on PYTHONPATH.
"""
import atexit
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ElementTree
import zipfile

CACHE_ENV = 'YARDSTICK_CACHE'
PIP_TIMEOUT = 600
# printed when a subprocess fails: its last lines say why
OUTPUT_TAIL = 6000
OUTCOMES = ('passed', 'skipped', 'failed', 'error')  # worse to the right

_cache = None


class YardstickError(Exception):
    "A venv, a download or a pytest run did not work (not a test failure)"


class Outcome(str):
    """'passed', 'skipped', 'failed' or 'error'; ``.details`` holds what
    pytest reported for it (message and traceback), '' when it passed."""
    details = ''


def cache_dir():
    global _cache
    if _cache is None:
        path = os.environ.get(CACHE_ENV)
        if path:
            os.makedirs(path, exist_ok=True)
        else:
            path = tempfile.mkdtemp(prefix='yardstick-')
            atexit.register(shutil.rmtree, path, True)
        _cache = path
    return _cache


def _tail(text):
    return text if len(text) <= OUTPUT_TAIL else '...' + text[-OUTPUT_TAIL:]


def run_checked(cmd, timeout=PIP_TIMEOUT, **kwargs):
    """Run cmd (subprocess.run kwargs); its output, or YardstickError
    with the output's end when it fails"""
    try:
        result = subprocess.run(cmd, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True,
                                timeout=timeout, **kwargs)
    except subprocess.TimeoutExpired as e:
        raise YardstickError('%s timed out after %ss:\n%s' % (
            ' '.join(cmd), timeout, _tail(e.output or '')))
    if result.returncode != 0:
        raise YardstickError('%s exited with %s:\n%s' % (
            ' '.join(cmd), result.returncode, _tail(result.stdout)))
    return result.stdout


def _project_name(requirement):
    name = re.match(r'\s*([A-Za-z0-9][A-Za-z0-9._-]*)', requirement).group(1)
    return re.sub(r'[-_.]+', '-', name).lower()


def make_venv(name, requirements, hiredis=False):
    """Path of the python of a venv holding ``requirements`` (pip
    requirement strings), plus hiredis when ``hiredis`` is True (or a
    requirement string such as 'hiredis<3'). Made once per cache."""
    requirements = list(requirements)
    if hiredis:
        requirements.append('hiredis' if hiredis is True else hiredis)
    key = hashlib.sha1(repr((sys.version, requirements)).encode())
    path = os.path.join(cache_dir(), 'venvs',
                        '%s-%s' % (name, key.hexdigest()[:12]))
    python = os.path.join(path, 'bin', 'python')
    done = os.path.join(path, 'complete')
    if os.path.exists(done):
        return python
    shutil.rmtree(path, ignore_errors=True)
    run_checked([sys.executable, '-m', 'venv', path])
    if 'redis' in map(_project_name, requirements):
        run_checked([python, '-m', 'pip', 'install', '--quiet']
                    + requirements)
    else:
        run_checked([python, '-m', 'pip', 'install', '--quiet', '--no-deps']
                    + _resolve_without_redis(python, requirements, path))
    open(done, 'w').close()
    return python


def _resolve_without_redis(python, requirements, venv):
    "name==version of everything requirements pull in, except redis"
    report_path = os.path.join(venv, 'install-report.json')
    run_checked([python, '-m', 'pip', 'install', '--quiet', '--dry-run',
                 '--ignore-installed', '--report', report_path]
                + requirements)
    with open(report_path) as f:
        report = json.load(f)
    pins = []
    for item in report['install']:
        metadata = item['metadata']
        if _project_name(metadata['name']) != 'redis':
            pins.append('%s==%s' % (metadata['name'], metadata['version']))
    return pins


def fetch_sdist(name, version, dest):
    """Download the source distribution of name==version from PyPI (once
    per cache), extract it into ``dest`` and return its top directory."""
    download = os.path.join(cache_dir(), 'sdists', '%s-%s' % (name, version))
    if not os.path.isdir(download) or not os.listdir(download):
        run_checked([sys.executable, '-m', 'pip', 'download', '--quiet',
                     '--no-deps', '--no-binary', ':all:', '--dest', download,
                     '%s==%s' % (name, version)])
    archive = os.path.join(download, os.listdir(download)[0])
    os.makedirs(dest, exist_ok=True)
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zipped:
            members = zipped.namelist()
            zipped.extractall(dest)
    else:
        with tarfile.open(archive) as tarred:
            members = tarred.getnames()
            if hasattr(tarfile, 'data_filter'):
                tarred.extractall(dest, filter='data')
            else:
                tarred.extractall(dest)
    tops = {member.split('/')[0] for member in members}
    if len(tops) != 1:
        raise YardstickError('%s has no single top directory: %s'
                             % (archive, sorted(tops)[:5]))
    return os.path.join(dest, tops.pop())


def run_pytest(python, args, cwd, env=None, timeout=600):
    """Run ``python -m pytest args`` in ``cwd`` (its rootdir) and return
    {test_id: Outcome}, test ids as pytest's node ids ('tests/test_x.py::
    TestY::test_z'). A collection error is an 'error' outcome of the
    module; a run that is cut off or ends abnormally raises
    YardstickError with the end of its output."""
    fd, junit = tempfile.mkstemp(prefix='yardstick-', suffix='.xml')
    os.close(fd)
    cmd = [python, '-m', 'pytest', '-p', 'no:cacheprovider',
           '--rootdir', cwd, '--junitxml', junit,
           '--continue-on-collection-errors',
           # a hung test gets every thread's traceback before the kill
           '-o', 'faulthandler_timeout=%d' % max(timeout - 20, 10)]
    cmd += list(args)
    try:
        with subprocess.Popen(cmd, cwd=cwd, env=env, text=True,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT,
                              start_new_session=True) as proc:
            try:
                output = proc.communicate(timeout=timeout)[0]
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                output = proc.communicate()[0]
                raise YardstickError('pytest in %s was killed after %ss:\n%s'
                                     % (cwd, timeout, _tail(output)))
        # 0: all passed, 1: some failed; anything else is no verdict
        if proc.returncode not in (0, 1) or not os.path.getsize(junit):
            raise YardstickError('pytest in %s exited with %s:\n%s'
                                 % (cwd, proc.returncode, _tail(output)))
        return _outcomes(ElementTree.parse(junit).getroot(), cwd)
    finally:
        os.unlink(junit)


def _outcomes(root, rootdir):
    outcomes = {}
    for case in root.iter('testcase'):
        test_id = _test_id(case.get('classname', ''), case.get('name'),
                           rootdir)
        outcome, details = 'passed', []
        for child in case:
            found = {'failure': 'failed'}.get(child.tag, child.tag)
            if found not in OUTCOMES:
                continue
            if OUTCOMES.index(found) > OUTCOMES.index(outcome):
                outcome = found
            details.append('%s\n%s' % (child.get('message', ''),
                                       child.text or ''))
        previous = outcomes.get(test_id)
        if previous is not None:
            # a teardown error is reported as a second entry of its test
            details = [previous.details] + details
            if OUTCOMES.index(previous) > OUTCOMES.index(outcome):
                outcome = str(previous)
        result = outcomes[test_id] = Outcome(outcome)
        result.details = '\n'.join(details).strip()
    return outcomes


def _test_id(classname, name, rootdir):
    """The node id back from junit's dotted classname: the longest dotted
    prefix that names a .py file under rootdir is the module."""
    if classname:
        parts, tail = classname.split('.'), [name]
    else:  # a collection error: its name is the dotted module
        parts, tail = name.split('.'), []
    for end in range(len(parts), 0, -1):
        if os.path.isfile(os.path.join(rootdir, *parts[:end]) + '.py'):
            path = '/'.join(parts[:end]) + '.py'
            return '::'.join([path] + parts[end:] + tail)
    return '::'.join(parts + tail)
