"""Contestants and the virtual environments they run in.

Every contestant runs in its own venv, created once under the cache folder and
reused: the clone's two venvs hold no ``redis`` package at all (only hiredis, or
nothing), the redis-py ones hold one release of the real package.  A marker file
written after a successful install records what the venv holds; a venv without
one (an interrupted install) or with different requirements is rebuilt.
"""
import json
import os
import shutil
import subprocess
import sys

MARKER = 'bench-venv.json'
# redis-py 2.10.6 imports distutils unconditionally; on Python >= 3.12 only
# setuptools' shim provides it.
SETUPTOOLS_2106 = 'setuptools'
# hiredis pin for redis-py 2.10.6, None for the same hiredis as everyone else.
# 2.10.6's HiredisParser works with hiredis 3.x (checked with 3.5.0 on Python 3.11).
HIREDIS_2106 = None


class Contestant(object):
    """One column of the table: which redis package, which parser, which venv."""

    def __init__(self, name, label, target, parser, venv, packages):
        self.name = name
        self.label = label
        self.target = target        # 'clone', 'redispy' or 'floor'
        self.parser = parser        # 'python' or 'hiredis'
        self.venv = venv
        self.packages = list(packages)

    def __repr__(self):
        return 'Contestant(%r, venv=%r, packages=%r)' % (self.name, self.venv, self.packages)


CONTESTANT_LIST = [
    Contestant('clone-py', 'clone (py)', 'clone', 'python', 'clone-plain', []),
    Contestant('clone-hi', 'clone (hiredis)', 'clone', 'hiredis', 'clone-hiredis', ['hiredis']),
    Contestant('latest-py', 'redis-py latest (py)', 'redispy', 'python', 'redispy-latest-plain', ['redis']),
    Contestant('latest-hi', 'redis-py latest (hiredis)', 'redispy', 'hiredis', 'redispy-latest-hiredis',
               ['redis', 'hiredis']),
    Contestant('2.10.6-py', 'redis-py 2.10.6 (py)', 'redispy', 'python', 'redispy-2.10.6-plain',
               ['redis==2.10.6', SETUPTOOLS_2106]),
    Contestant('2.10.6-hi', 'redis-py 2.10.6 (hiredis)', 'redispy', 'hiredis', 'redispy-2.10.6-hiredis',
               ['redis==2.10.6', SETUPTOOLS_2106, 'hiredis']),
    # no redis package at all: benchmarks/floor.py, the least any Python client does
    Contestant('floor', 'Python socket floor', 'floor', 'python', 'clone-plain', []),
]
CONTESTANTS = dict((c.name, c) for c in CONTESTANT_LIST)
C_CEILING = 'redis-benchmark'   # the pseudo-contestant: redis-benchmark -c 1


def venv_python(cache_dir, contestant):
    return os.path.join(cache_dir, 'venvs', contestant.venv, 'bin', 'python')


def _read_marker(path):
    try:
        with open(os.path.join(path, MARKER)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _installed_versions(python):
    code = ('import importlib.metadata as m, json\n'
            'out = {}\n'
            'for name in ("redis", "hiredis", "setuptools"):\n'
            '    try:\n'
            '        out[name] = m.version(name)\n'
            '    except m.PackageNotFoundError:\n'
            '        pass\n'
            'print(json.dumps(out))\n')
    out = subprocess.run([python, '-I', '-c', code], check=True, stdout=subprocess.PIPE)
    return json.loads(out.stdout.decode())


def _pin(packages, pins):
    """Replace bare names by name==version for packages a sibling venv already resolved."""
    result = []
    for spec in packages:
        result.append('%s==%s' % (spec, pins[spec]) if spec in pins else spec)
    return result


def _python_works(python):
    try:
        subprocess.run([python, '-I', '-c', 'pass'], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except (OSError, subprocess.CalledProcessError):
        return False
    return True


def _satisfies(marker, wanted, base_python):
    """Does an existing venv hold what is wanted (and no hiredis where none is wanted)?"""
    if not marker or marker.get('base_python') != base_python:
        return False
    versions = marker.get('versions', {})
    names = set()
    for spec in wanted:
        name, _, version = spec.partition('==')
        names.add(name)
        if name not in versions or (version and versions[name] != version):
            return False
    return all(name in names for name in ('redis', 'hiredis') if name in versions)


def _wanted(contestant, pins):
    wanted = _pin(contestant.packages, pins)
    if contestant.name == '2.10.6-hi' and HIREDIS_2106:
        wanted = [s for s in wanted if s.partition('==')[0] != 'hiredis'] + ['hiredis==%s' % HIREDIS_2106]
    return wanted


def ensure_venv(cache_dir, contestant, base_python, pins, refresh=False, log=print):
    """Create (once) the contestant's venv; return the marker dict with installed versions."""
    path = os.path.join(cache_dir, 'venvs', contestant.venv)
    python = os.path.join(path, 'bin', 'python')
    wanted = _wanted(contestant, pins)
    marker = _read_marker(path)
    if not refresh and _satisfies(marker, wanted, base_python) and _python_works(python):
        return marker
    if os.path.exists(path):
        shutil.rmtree(path)
    log('creating venv %s: pip install %s' % (path, ' '.join(wanted) or '(nothing)'))
    subprocess.run([base_python, '-m', 'venv', path], check=True)
    if wanted:
        out = subprocess.run([python, '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check']
                             + wanted, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if out.returncode != 0:
            log(out.stdout.decode(errors='replace'))
            raise RuntimeError('pip install %s failed in %s' % (' '.join(wanted), path))
    marker = {'requested': wanted, 'base_python': base_python, 'versions': _installed_versions(python)}
    if contestant.target != 'redispy' and 'redis' in marker['versions']:
        raise RuntimeError('the clone venv %s has a real redis package installed' % path)
    with open(os.path.join(path, MARKER), 'w') as f:
        json.dump(marker, f, indent=1)
    return marker


def _note_pins(contestant, versions, pins):
    for name in ('redis', 'hiredis'):
        if name in contestant.packages and name in versions and name not in pins:
            pins[name] = versions[name]


def ensure_venvs(cache_dir, contestants, base_python=None, refresh=False, log=print):
    """Build the selected venvs so that siblings share one redis and one hiredis version.

    Walking all contestants in table order, the first venv that holds an unpinned
    ``redis`` or ``hiredis`` fixes that version for the later ones, so e.g. "latest
    (py)" and "latest (hiredis)" differ only by hiredis.  Venvs of contestants not
    selected are only read (unless refreshing), never built.
    """
    base_python = base_python or getattr(sys, '_base_executable', None) or sys.executable
    selected = set(c.name for c in contestants)
    pins = {}
    markers = {}
    for contestant in CONTESTANT_LIST:
        if contestant.name in selected:
            marker = ensure_venv(cache_dir, contestant, base_python, pins, refresh, log)
            markers[contestant.name] = marker
        elif refresh:
            continue
        else:
            marker = _read_marker(os.path.join(cache_dir, 'venvs', contestant.venv))
            if not _satisfies(marker, _wanted(contestant, pins), base_python):
                continue
        _note_pins(contestant, marker['versions'], pins)
    return markers
