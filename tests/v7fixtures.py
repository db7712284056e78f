"""Fixtures and helpers shared by the tests of commands added after
2.10.6 (tests/test_commands_v7_*.py)."""
import threading

import pytest

from checks import as_str


@pytest.fixture(params=['bytes', 'str'])
def client(request, make_client):
    """A StrictRedis on the test's parser, with bytes replies or with
    decode_responses=True; ``client.conv(b'...')`` is how a bytes reply
    looks in its mode"""
    decode = request.param == 'str'
    c = make_client(decode_responses=decode)
    c.conv = as_str if decode else (lambda value: value)
    return c


def wait_until_blocked(control, command):
    """Return once the server lists a client blocked in ``command`` (lower
    case, as CLIENT LIST writes it), asked over ``control``"""
    for _ in range(3000):
        clients = control.execute_command('CLIENT LIST')
        if any(c.get('cmd') == command for c in clients):
            return
        threading.Event().wait(0.01)
    raise AssertionError('no client blocked in %s' % command)


def in_thread(func):
    "Run ``func`` in a thread; join() it, then read .result"
    box = []
    thread = threading.Thread(target=lambda: box.append(func()))
    thread.start()

    def join():
        thread.join(30)
        assert not thread.is_alive()
        return box[0]
    return join
