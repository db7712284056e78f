"""Big values through every read path: alone (read straight off the socket
with hiredis), inside arrays, between pipelined replies, decoded or not."""
import os

import pytest

SIZES = [256 * 1024 - 1, 256 * 1024, 1024 * 1024 + 3, 3 * 1024 * 1024 + 7]


@pytest.fixture(scope='module')
def values():
    return dict((size, os.urandom(size)) for size in SIZES)


@pytest.mark.parametrize('size', SIZES)
def test_get(r, values, size):
    assert r.set('big', values[size])
    assert r.get('big') == values[size]
    # the connection is in step afterwards
    assert r.echo('after') == b'after'


def test_get_decoded(rd):
    text = 'é' * (600 * 1024)
    assert rd.set('big', text)
    assert rd.get('big') == text
    assert rd.echo('after') == 'after'


@pytest.mark.parametrize('transaction', [True, False])
def test_pipelined_between_small_replies(r, values, transaction):
    big = values[SIZES[2]]
    pipe = r.pipeline(transaction=transaction)
    pipe.set('big', big).get('big').echo('x').get('big').incr('n')
    pipe.get('missing').get('big')
    assert pipe.execute() == [True, big, b'x', big, 1, None, big]


def test_arrays_of_big_values(r, values):
    items = [values[size] for size in SIZES]
    r.rpush('list', *items)
    assert r.lrange('list', 0, -1) == items
    r.mset({'a': items[0], 'b': items[1]})
    assert r.mget('a', 'missing', 'b') == [items[0], None, items[1]]
    assert r.echo('after') == b'after'


def test_small_socket_reads(make_client, values):
    client = make_client(socket_read_size=1000)
    big = values[SIZES[1]]
    client.set('big', big)
    assert client.get('big') == big
    pipe = client.pipeline(transaction=False)
    assert pipe.get('big').echo('tail').execute() == [big, b'tail']


def test_replies_over_many_reads_leave_the_reader_empty(r):
    # ~600 KiB: about ten socket reads, each parsed as it arrives
    items = [b'%020d' % i for i in range(20000)]
    r.rpush('list', *items)
    for _ in range(3):
        assert r.lrange('list', 0, -1) == items
    (connection,) = r.connection_pool._available_connections
    reader = connection._parser._reader
    assert reader.gets() is False
    if connection._parser.reads_into_buffer:
        # hiredis keeps its buffer between big replies instead of freeing
        # and regrowing it (page faults) for every one
        assert reader.getmaxbuf() == 4 * connection._parser.socket_read_size
