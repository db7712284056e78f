"""Exceptions raised by the client, and the table that maps error replies to them."""


class RedisError(Exception):
    pass


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
# Codes 2.10.6 did not know kept their code in the message; so do these.
_KEEP_CODE = frozenset(('NOAUTH', 'WRONGPASS'))


def error_from_reply(message):
    """Build the exception for an error reply: 'CODE text' -> Class('text').

    A known code is stripped from the message, as 2.10.6 did; an unknown one
    stays in it.

    Used as the readers' ``replyError`` factory, so nested error replies
    (inside EXEC results) get their class too.
    """
    code, sep, rest = message.partition(' ')
    cls = EXCEPTION_CLASSES.get(code)
    if cls is None:
        return ResponseError(message)
    if isinstance(cls, dict):
        cls = cls.get(rest, ResponseError)
    elif code in _KEEP_CODE:
        return cls(message)
    return cls(rest)
