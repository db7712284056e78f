"""Small helpers shared by the package, and 2.10.6's public utilities."""
from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator, Optional, Union

if TYPE_CHECKING:
    from redis.client import Redis

try:
    import hiredis  # noqa: F401
    HIREDIS_AVAILABLE = True
except ImportError:
    HIREDIS_AVAILABLE = False


def from_url(url: str, db: Optional[int] = None, **kwargs: Any) -> Redis:
    """A ``Redis`` client configured by ``url`` (see
    ConnectionPool.from_url); ``db`` is used when the URL names no
    database."""
    from redis.client import Redis
    return Redis.from_url(url, db, **kwargs)


@contextmanager
def pipeline(redis_obj: Any) -> Iterator[Any]:
    p = redis_obj.pipeline()
    yield p
    p.execute()


class dummy(object):
    "A bare object to hang attributes on"

    def __repr__(self) -> str:
        return '%s(%s)' % (type(self).__name__, ', '.join(
            '%s=%r' % item for item in sorted(vars(self).items())))


def nativestr(x: Union[str, bytes]) -> str:
    "The str of a reply that may be bytes"
    return x if isinstance(x, str) else x.decode('utf-8', 'replace')


def b(x: Union[str, bytes]) -> bytes:
    return x.encode('latin-1') if isinstance(x, str) else x
