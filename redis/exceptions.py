"""Exceptions raised by the client, and the table that maps error replies to them."""
from __future__ import annotations

from typing import Any, Mapping


class RedisError(Exception):
    def __unicode__(self) -> str:
        # 2.10.6 gave its exceptions this Python 2 method on Python 3 too
        return str(self.args[0])


class AuthenticationError(RedisError):
    pass


class ConnectionError(RedisError):
    pass


class TimeoutError(RedisError):
    pass


class BusyLoadingError(ConnectionError):
    pass


class InvalidResponse(RedisError):
    pass


class ResponseError(RedisError):
    pass


class DataError(RedisError):
    pass


class PubSubError(RedisError):
    pass


class WatchError(RedisError):
    pass


class NoScriptError(ResponseError):
    pass


class ExecAbortError(ResponseError):
    pass


class ReadOnlyError(ResponseError):
    pass


class LockError(RedisError, ValueError):
    "Errors acquiring or releasing a lock"
    # NOTE: For backwards compatability, this class derives from ValueError.
    # This was originally chosen to behave like threading.Lock.
    pass


class AuthenticationReplyError(AuthenticationError, ResponseError):
    """An error reply about authentication: an AuthenticationError, and
    still the ResponseError that 2.10.6 raised for it."""


class RedisClusterException(Exception):
    "A cluster client failure that is not an error reply (bad topology...)"


class ClusterError(RedisError):
    "A cluster-wide failure that outlasted the client's retries"


class ClusterDownError(ClusterError, ResponseError):
    "CLUSTERDOWN: the cluster does not serve this slot right now"

    def __init__(self, resp: str) -> None:
        self.args = (resp,)
        self.message = resp


class AskError(ResponseError):
    """ASK slot host:port: the slot is migrating and this key is on the
    target already; ask that node once (after ASKING)."""

    def __init__(self, resp: str) -> None:
        self.args = (resp,)
        self.message = resp
        slot_id, _, new_node = resp.partition(' ')
        host, _, port = new_node.rpartition(':')
        self.slot_id = int(slot_id)
        self.host = host
        self.port = int(port)
        self.node_addr = (host, self.port)


class MovedError(AskError):
    "MOVED slot host:port: the slot is owned by another node now"


class TryAgainError(ResponseError):
    "TRYAGAIN: a multi-key command met a slot in the middle of migrating"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        ResponseError.__init__(self, *args)


class ClusterCrossSlotError(ResponseError):
    "The keys of one command hash to more than one slot"
    message = "Keys in request don't hash to the same slot"


class MasterDownError(ClusterDownError):
    "MASTERDOWN: the replica's link to its master is down"


class SlotNotCoveredError(RedisClusterException):
    "No known node serves the slot, even after refreshing the topology"


# The first word of an error reply picks its class. A value that is a dict
# maps the full message instead (auth failures share the ERR prefix).
EXCEPTION_CLASSES = {
    'ERR': {
        'max number of clients reached': ConnectionError,
        'Client sent AUTH, but no password is set':
            AuthenticationReplyError,
        'AUTH <password> called without any password configured for the '
        'default user. Are you sure your configuration is correct?':
            AuthenticationReplyError,
        'invalid password': AuthenticationReplyError,
    },
    'EXECABORT': ExecAbortError,
    'LOADING': BusyLoadingError,
    'NOSCRIPT': NoScriptError,
    'READONLY': ReadOnlyError,
    'NOAUTH': AuthenticationReplyError,
    'WRONGPASS': AuthenticationReplyError,
}


def error_from_reply(
        message: str, exception_classes: Mapping[str, Any] = EXCEPTION_CLASSES,
) -> RedisError:
    """Build the exception for an error reply: 'CODE text' -> Class('text'),
    the class found in ``exception_classes`` (a parser's EXCEPTION_CLASSES;
    a dict value maps the text after the code instead).

    A known code is stripped from the message, as 2.10.6 did; an unknown one
    stays in it, and so does a code mapped straight to
    AuthenticationReplyError (NOAUTH, WRONGPASS: 2.10.6 did not know them,
    so its messages for them kept the code).

    Used as the readers' ``replyError`` factory, so nested error replies
    (inside EXEC results) get their class too.
    """
    code, sep, rest = message.partition(' ')
    cls = exception_classes.get(code)
    if cls is None:
        return ResponseError(message)
    if isinstance(cls, dict):
        cls = cls.get(rest, ResponseError)
    elif cls is AuthenticationReplyError:
        return cls(message)
    return cls(rest)


# Error replies only a cluster sends; a cluster node's parser adds them
# (a single server never sends them, and 2.10.6 raised them as plain
# ResponseError with the code kept in the message).
CLUSTER_EXCEPTION_CLASSES = dict(
    EXCEPTION_CLASSES,
    ASK=AskError,
    MOVED=MovedError,
    TRYAGAIN=TryAgainError,
    CLUSTERDOWN=ClusterDownError,
    CROSSSLOT=ClusterCrossSlotError,
    MASTERDOWN=MasterDownError,
)
