"""The re-send rule on its own: a command is re-sent only when it cannot
have run. (Each path that uses it is tested against real servers in the
pipeline, pubsub, reliability and cluster tests.)"""
import pytest

from redis.exceptions import (
    AskError, BusyLoadingError, ClusterDownError, ConnectionError,
    MovedError, ResponseError, TimeoutError, TryAgainError,
)
from redis.resend import CONNECT, READ, SEND, may_resend, proves_not_run


class Conn(object):
    def __init__(self, retry_on_timeout=False):
        self.retry_on_timeout = retry_on_timeout


LOST = ConnectionError('lost')
TIMEOUT = TimeoutError('timed out')
NOT_RUN = [BusyLoadingError('loading'), MovedError('1 127.0.0.1:1'),
           AskError('1 127.0.0.1:1'), TryAgainError('again'),
           ClusterDownError('down')]


def test_a_failed_connect_is_not_retried_at_once():
    assert not may_resend(LOST, CONNECT, Conn())
    assert not may_resend(TIMEOUT, CONNECT, Conn(retry_on_timeout=True))


def test_a_single_command_or_transaction_that_was_not_sent_whole():
    assert may_resend(LOST, SEND, Conn())
    assert may_resend(LOST, SEND, Conn(), batch=True, transaction=True)
    # the first commands of a plain batch may have run
    assert not may_resend(LOST, SEND, Conn(), batch=True)


def test_a_reply_that_could_not_be_read_may_mean_it_ran():
    assert not may_resend(LOST, READ, Conn())
    assert not may_resend(TIMEOUT, READ, Conn())
    assert not may_resend(ResponseError('ERR'), READ, Conn())


@pytest.mark.parametrize('error', NOT_RUN, ids=lambda e: type(e).__name__)
def test_replies_that_say_it_did_not_run(error):
    assert proves_not_run(error)
    assert may_resend(error, READ, Conn())
    # it speaks for one command of a batch only
    assert not may_resend(error, READ, Conn(), batch=True)


def test_retry_on_timeout_is_the_callers_opt_in():
    conn = Conn(retry_on_timeout=True)
    assert may_resend(TIMEOUT, READ, conn)
    assert may_resend(TIMEOUT, READ, conn, batch=True)
    assert may_resend(TIMEOUT, SEND, conn, batch=True)


def test_nothing_is_resent_while_keys_are_watched():
    for error, stage in [(LOST, SEND), (NOT_RUN[0], READ)]:
        assert not may_resend(error, stage, Conn(), watching=True)
    assert not may_resend(TIMEOUT, READ, Conn(retry_on_timeout=True),
                          watching=True)


def test_idempotent_commands_survive_any_lost_connection():
    assert may_resend(LOST, READ, Conn(), idempotent=True)
    assert not may_resend(TIMEOUT, READ, Conn(), idempotent=True)
    assert may_resend(TIMEOUT, READ, Conn(retry_on_timeout=True),
                      idempotent=True)
    assert not proves_not_run(LOST)
