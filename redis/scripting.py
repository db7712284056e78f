"""Script objects: Lua scripts run by their SHA1, loaded when missing."""
from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any, Iterable, Sequence, Union

from redis.exceptions import NoScriptError
from redis.pipeline import BasePipeline
from redis.typing import EncodableT, KeyT

if TYPE_CHECKING:
    from redis.client import StrictRedis
    from redis.cluster import RedisCluster


class Script(object):
    """A Lua script bound to a client by ``register_script``; calling it
    runs the script by its SHA1."""

    def __init__(self, registered_client: Union[StrictRedis, RedisCluster],
                 script: Union[str, bytes]) -> None:
        self.registered_client = registered_client
        self.script = script
        # The server hashes the bytes it receives, so hash what the client's
        # encoder will send.
        if isinstance(script, str):
            encoder = registered_client.connection_pool.get_encoder()
            script = encoder.encode(script)
        self.sha = hashlib.sha1(script).hexdigest()

    def __repr__(self) -> str:
        return '%s<sha=%s>' % (type(self).__name__, self.sha)

    def __call__(self, keys: Sequence[KeyT] = [],
                 args: Iterable[EncodableT] = [],
                 client: Union[StrictRedis, RedisCluster, BasePipeline,
                               None] = None) -> Any:
        """Run the script with KEYS ``keys`` and ARGV ``args`` on
        ``client`` (a client or a pipeline; by default the registering
        client)."""
        if client is None:
            client = self.registered_client
        args = tuple(keys) + tuple(args)
        if isinstance(client, BasePipeline):
            # the pipeline loads its scripts right before it executes (in
            # immediate mode, after watch(), the retry below does)
            client.scripts.add(self)
        try:
            return client.evalsha(self.sha, len(keys), *args)
        except NoScriptError:
            # a flushed script cache, or another server than the one that
            # saw it last: load it there and try once more
            self.sha = client.script_load(self.script)
            return client.evalsha(self.sha, len(keys), *args)
