"""Assertions shared by the command tests."""
import time


def typed(value):
    "The value with the type of every part, so == also compares types"
    if isinstance(value, (list, tuple)):
        return (type(value), [typed(v) for v in value])
    if isinstance(value, dict):
        return (dict, sorted((repr(k), typed(k), typed(v))
                             for k, v in value.items()))
    return (type(value), value)


def same(actual, expected):
    "actual == expected, with the same type at every level"
    assert typed(actual) == typed(expected)


def as_str(reply):
    "The reply as a decode_responses=True reader would give it"
    if isinstance(reply, bytes):
        return reply.decode()
    if isinstance(reply, list):
        return [as_str(item) for item in reply]
    return reply


def wait_for(predicate, what, timeout=30):
    "Poll ``predicate`` until true (the server's state, not a clock)"
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, 'never happened: ' + what
        time.sleep(0.01)
