"""Names of 2.10.6's Python 2/3 compatibility module, for code that imports
them from here. On Python 3 each is the obvious built-in."""
from itertools import chain  # noqa: F401
from queue import Empty, Full, LifoQueue, Queue  # noqa: F401
from urllib.parse import parse_qs, unquote, urlparse  # noqa: F401

from redis.utils import b, nativestr  # noqa: F401

basestring = str
unicode = str
long = int
xrange = range
imap = map
izip = zip
bytes = bytes
safe_unicode = str


def iteritems(x):
    return iter(x.items())


def iterkeys(x):
    return iter(x.keys())


def itervalues(x):
    return iter(x.values())


def u(x):
    return x


def byte_to_chr(x):
    return chr(x)


def nativestr_or_none(x):
    return None if x is None else nativestr(x)
