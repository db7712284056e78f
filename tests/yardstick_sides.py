"""The two sides a yardstick compares: a venv with the real redis==2.10.6,
and a venv without it that imports this checkout's package. Both get
hiredis when the env running the yardstick has it, so each tox env
compares the parser it tests."""
import importlib.util
import os
import subprocess

CHECKOUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HIREDIS = importlib.util.find_spec('hiredis') is not None
EXPECTED_PARSER = 'HiredisParser' if HIREDIS else 'PythonParser'
# distutils, which 2.10.6 imports, comes from setuptools on Python 3.12+
BASELINE_REQUIREMENTS = ['redis==2.10.6', 'setuptools']


def package_only_dir(directory):
    """`directory` holding only a link to this checkout's package, for
    PYTHONPATH: the checkout's tests/ must not shadow a suite's own."""
    os.makedirs(directory, exist_ok=True)
    link = os.path.join(directory, 'redis')
    if not os.path.islink(link):
        os.symlink(os.path.join(CHECKOUT, 'redis'), link)
    return directory


def redis_seen_by(python, env):
    "(redis.__file__, redis.__version__, DefaultParser name) for `python`"
    out = subprocess.run(
        [python, '-c',
         'import redis, redis.connection as c; print(redis.__file__); '
         'print(redis.__version__); print(c.DefaultParser.__name__)'],
        env=env, capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise AssertionError('%s cannot import redis:\n%s'
                             % (python, out.stderr[-3000:]))
    return tuple(out.stdout.split())


def check_baseline(python, env):
    "AssertionError unless `python` imports the real 2.10.6, right parser"
    path, version, parser = redis_seen_by(python, env)
    assert (version, parser) == ('2.10.6', EXPECTED_PARSER), (python, path,
                                                             version, parser)


def check_checkout(python, env):
    "AssertionError unless `python` imports this checkout, right parser"
    path, version, parser = redis_seen_by(python, env)
    package = os.path.join(os.path.realpath(CHECKOUT), 'redis')
    assert os.path.realpath(path).startswith(package + os.sep), (python,
                                                                 path)
    assert parser == EXPECTED_PARSER, (python, parser)


def clean_env(pythonpath=()):
    """This process's environment for a side's subprocess: its own
    PYTHONPATH, and no PYTEST_* settings of the run driving it."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith('PYTEST_') and key != 'PYTHONPATH'}
    if pythonpath:
        env['PYTHONPATH'] = os.pathsep.join(pythonpath)
    return env
