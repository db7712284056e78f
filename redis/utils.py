"""Small helpers shared by the package, and 2.10.6's public utilities."""
from contextlib import contextmanager

try:
    import hiredis  # noqa: F401
    HIREDIS_AVAILABLE = True
except ImportError:
    HIREDIS_AVAILABLE = False


def from_url(url, db=None, **kwargs):
    """A ``Redis`` client configured by ``url`` (see
    ConnectionPool.from_url); ``db`` is used when the URL names no
    database."""
    from redis.client import Redis
    return Redis.from_url(url, db, **kwargs)


@contextmanager
def pipeline(redis_obj):
    p = redis_obj.pipeline()
    yield p
    p.execute()


class dummy(object):
    "A bare object to hang attributes on"

    def __repr__(self):
        return '%s(%s)' % (type(self).__name__, ', '.join(
            '%s=%r' % item for item in sorted(vars(self).items())))


def nativestr(x):
    "The str of a reply that may be bytes"
    return x if isinstance(x, str) else x.decode('utf-8', 'replace')


def b(x):
    return x.encode('latin-1') if isinstance(x, str) else x
