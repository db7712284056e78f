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

# The modules and helpers 2.10.6's redis.connection imported: code of its
# era reaches them through it (redis.connection.socket, .select, ...).
import os  # noqa: F401,E402
import socket  # noqa: F401,E402
import sys  # noqa: F401,E402
import threading  # noqa: F401,E402
import warnings  # noqa: F401,E402
from itertools import chain  # noqa: F401,E402
from redis._compat import (  # noqa: F401,E402
    BytesIO, Empty, Full, LifoQueue, b, basestring, byte_to_chr, bytes, imap,
    iteritems, long, parse_qs, recv, recv_into, select, unicode, unquote,
    urlparse, xrange,
)
if ssl_available:
    import ssl  # noqa: F401


def __getattr__(name):
    # importing distutils costs a third of a second: only when asked for
    # (and only where it exists: Python 3.12 dropped it)
    if name == 'StrictVersion':
        try:
            from distutils.version import StrictVersion
        except ImportError:
            pass
        else:
            return StrictVersion
    raise AttributeError('module %r has no attribute %r' % (__name__, name))

with_statement = __import__('__future__').with_statement

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
