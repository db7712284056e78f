"""The names of 2.10.6's Python 2/3 compatibility module, for code that
imports them from here. The package itself does not use them: on Python 3
each is simply the built-in or standard library name it stood for there.
"""
import errno  # noqa: F401 (2.10.6 offered the module under this name too)
import sys  # noqa: F401 (likewise)
from io import BytesIO  # noqa: F401
from queue import Empty, Full, LifoQueue, Queue  # noqa: F401
from select import select  # noqa: F401
from string import ascii_letters  # noqa: F401
from urllib.parse import parse_qs, unquote, urlparse  # noqa: F401

from redis.utils import b, nativestr  # noqa: F401

# Since Python 3.5 (PEP 475) the interpreter itself retries a system call
# that a signal interrupted, so select, recv and recv_into need no loop of
# their own for EINTR.
InterruptedError = InterruptedError

basestring = str
unicode = str
safe_unicode = str
bytes = bytes
long = int
unichr = chr
next = next
xrange = range
imap = map
izip = zip


def recv(sock, *args, **kwargs):
    "sock.recv(*args, **kwargs)"
    return sock.recv(*args, **kwargs)


def recv_into(sock, *args, **kwargs):
    "sock.recv_into(*args, **kwargs)"
    return sock.recv_into(*args, **kwargs)


def iteritems(x):
    return iter(x.items())


def iterkeys(x):
    return iter(x.keys())


def itervalues(x):
    return iter(x.values())


def u(x):
    "Text stays text (on Python 2 this decoded bytes)"
    return x


def byte_to_chr(x):
    "The one-character str of a byte value (an item of a bytes object)"
    return chr(x)
