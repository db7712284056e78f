"""The two reply modes of the command tests: bytes, and str under
decode_responses=True. Import the fixtures into a test module with
``from modes import client, decode``."""
import pytest


def conv_for(decode):
    "What a value the test wrote as bytes reads back as, in that mode"
    if decode:
        return lambda value: value.decode() if isinstance(value, bytes) \
            else value
    return lambda value: value


@pytest.fixture(params=['bytes', 'str'])
def decode(request):
    return request.param == 'str'


def client_in_mode(make_client, decode, server=None):
    """A client (of ``server``, else the shared one) in the mode under
    test, with ``.conv`` for expected values and ``.server``"""
    if server is None:
        c = make_client(decode_responses=decode)
    else:
        c = make_client(server=server, decode_responses=decode)
        c.server = server
    c.conv = conv_for(decode)
    return c


@pytest.fixture
def client(make_client, decode):
    "A client of the shared server in the mode under test"
    return client_in_mode(make_client, decode)
