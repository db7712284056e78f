"""2.10.6's redis.connection names, re-exported from the modules that
define them (connection classes, parsers, pools, the encoder), so that
no module of this package has to import this one."""
from redis.connection_classes import (  # noqa: F401
    Connection, HIREDIS_AVAILABLE, SSLConnection, SYM_CRLF, SYM_DOLLAR,
    SYM_EMPTY, SYM_STAR, UnixDomainSocketConnection, nativestr, ssl_available,
)
from redis.exceptions import (  # noqa: F401
    AuthenticationError, BusyLoadingError, ConnectionError, DataError,
    EXCEPTION_CLASSES, ExecAbortError, InvalidResponse, NoScriptError,
    ReadOnlyError, RedisError, ResponseError, TimeoutError, error_from_reply,
)
from redis.parsers import (  # noqa: F401
    BaseParser, DefaultParser, HiredisParser, PythonParser,
    SERVER_CLOSED_CONNECTION_ERROR, SocketBuffer, SocketParser,
    check_reply_header,
)
from redis.pool import (  # noqa: F401
    BlockingConnectionPool, ConnectionPool, FALSE_STRINGS,
    URL_QUERY_ARGUMENT_PARSERS, to_bool,
)
from redis.resp import Encoder, Token  # noqa: F401

if HIREDIS_AVAILABLE:
    from redis.connection_classes import (  # noqa: F401
        HIREDIS_SUPPORTS_BYTE_BUFFER, HIREDIS_SUPPORTS_CALLABLE_ERRORS,
        HIREDIS_USE_BYTE_BUFFER, hiredis_version,
    )

__all__ = [
    'BaseParser', 'BlockingConnectionPool', 'Connection', 'ConnectionPool',
    'DataError', 'DefaultParser', 'Encoder', 'HiredisParser', 'PythonParser',
    'SSLConnection', 'Token', 'UnixDomainSocketConnection',
]
