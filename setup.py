"""Packaging for the redis-py 2.10.6 API on Python 3."""
import os
import re

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def read(name):
    with open(os.path.join(HERE, name), encoding='utf-8') as f:
        return f.read()


def version():
    # Read, not imported: importing the package would need it installed.
    match = re.search(r"^__version__ = ['\"]([^'\"]+)['\"]",
                      read(os.path.join('redis', '__init__.py')), re.M)
    if match is None:
        raise RuntimeError('no __version__ in redis/__init__.py')
    return match.group(1)


setup(
    name='redis',
    version=version(),
    description='Python client for Redis key-value store',
    long_description=read('README.rst'),
    long_description_content_type='text/x-rst',
    keywords=['Redis', 'key-value store'],
    license='MIT',
    packages=find_packages(exclude=['tests', 'tests.*',
                                    'benchmarks', 'benchmarks.*']),
    # PEP 561: the package's inline annotations are for type checkers
    package_data={'redis': ['py.typed']},
    python_requires='>=3.9',
    # hiredis 1.x accepts malformed lengths ($-5, $abc) as replies; from
    # 2.0 on it raises, which the garbage tests require of both parsers
    extras_require={'hiredis': ['hiredis>=2.0']},
    classifiers=[
        'Development Status :: 5 - Production/Stable',
        'Environment :: Console',
        'Intended Audience :: Developers',
        'License :: OSI Approved :: MIT License',
        'Operating System :: OS Independent',
        'Programming Language :: Python',
        'Programming Language :: Python :: 3',
        'Programming Language :: Python :: 3 :: Only',
        'Programming Language :: Python :: 3.9',
        'Programming Language :: Python :: 3.10',
        'Programming Language :: Python :: 3.11',
        'Programming Language :: Python :: 3.12',
        'Programming Language :: Python :: 3.13',
    ],
)
