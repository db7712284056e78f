"""Yardstick: redis-py-cluster 1.3.6, the cluster client built on redis-py
2.10.6's classes (it requires redis==2.10.6), works on this package as it
does on 2.10.6.

Its sdist ships no tests, so tests/rediscluster_scenario.py (written for
this project) drives it through what it subclasses and imports, against a
real 6-node cluster (tests/clusterserver.py): once in a venv with the real
redis==2.10.6, once in a venv without it and this checkout on PYTHONPATH.
Both venvs get hiredis when the env running this has it (ClusterParser
subclasses DefaultParser). The two transcripts must be the same.
"""
import json
import os
import subprocess

import pytest

import clusterserver
import yardsticks
from yardstick_sides import (
    BASELINE_REQUIREMENTS, HIREDIS, check_baseline, check_checkout,
    clean_env, package_only_dir)

# making both venvs can outlast the env's per-test PYTEST_TIMEOUT
pytestmark = [pytest.mark.yardstick, pytest.mark.slow,
              pytest.mark.timeout(900)]

SCENARIO = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        'rediscluster_scenario.py')
LIBRARY = 'redis-py-cluster==1.3.6'
SCENARIO_TIMEOUT = 300


def run_scenario(python, env, cluster):
    ports = [str(node.port) for node in cluster.nodes]
    result = subprocess.run([python, SCENARIO] + ports, env=env,
                            capture_output=True, text=True,
                            timeout=SCENARIO_TIMEOUT)
    assert result.returncode == 0, (python, result.stdout[-3000:],
                                    result.stderr[-5000:])
    return json.loads(result.stdout.splitlines()[-1])


@pytest.fixture(scope='module')
def sides(tmp_path_factory):
    "(python, env) of the 2.10.6 venv and of the one using this checkout"
    baseline = yardsticks.make_venv('rediscluster-2106',
                                    BASELINE_REQUIREMENTS + [LIBRARY],
                                    hiredis=HIREDIS)
    ours = yardsticks.make_venv('rediscluster-checkout', [LIBRARY],
                                hiredis=HIREDIS)
    ours_env = clean_env([package_only_dir(
        str(tmp_path_factory.mktemp('checkout')))])
    check_baseline(baseline, clean_env())
    check_checkout(ours, ours_env)
    return (baseline, clean_env()), (ours, ours_env)


@pytest.fixture(scope='module')
def cluster():
    with clusterserver.RedisCluster() as started:
        yield started


def test_redis_py_cluster_behaves_as_on_2106(sides, cluster):
    baseline, ours = sides
    expected = run_scenario(*baseline, cluster=cluster)
    cluster.flushall()
    got = run_scenario(*ours, cluster=cluster)
    # the scenario must have exercised the client, not failed at once
    assert sum(entry[1] == 'returned' for entry in expected) >= 20, expected
    differences = ['%s:\n    2.10.6: %s\n    here:   %s' % (
        want[0], json.dumps(want[1:]), json.dumps(have[1:]))
        for want, have in zip(expected, got) if want != have]
    if len(got) != len(expected):
        differences.append('steps: %d on 2.10.6, %d here' % (
            len(expected), len(got)))
    assert not differences, (
        '%s behaves differently on this package:\n' % LIBRARY
        + '\n'.join(differences))
