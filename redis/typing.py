"""Type aliases for the annotations of the public API (``redis.typing``).

They state what the annotations promise a type checker, after today's
redis-py. They restrict nothing at run time: a value of any other type is
still sent as its ``str()``, as in 2.10.6.
"""
from __future__ import annotations

import datetime
from typing import (
    TYPE_CHECKING, Any, Callable, Dict, Iterable, Mapping, TypeVar, Union,
)

if TYPE_CHECKING:
    from redis.cluster_nodes import ClusterNode

#: A key name.
KeyT = Union[bytes, str, memoryview]
#: A glob-style pattern, as KEYS, SCAN MATCH and PSUBSCRIBE take.
PatternT = Union[bytes, str, memoryview]
#: A pubsub channel name.
ChannelT = Union[bytes, str, memoryview]
#: The name of a hash field, a group, a consumer, an ACL user...
FieldT = Union[bytes, str, memoryview]
#: The key type of a mapping of keys (a dict's key type is invariant, so a
#: Dict[str, int] needs a type variable to be taken as a mapping of KeyT).
AnyKeyT = TypeVar('AnyKeyT', bytes, str, memoryview)
#: Likewise for a mapping of hash fields.
AnyFieldT = TypeVar('AnyFieldT', bytes, str, memoryview)

#: A value sent as is.
EncodedT = Union[bytes, bytearray, memoryview]
#: A value the connection's Encoder turns into bytes.
DecodedT = Union[str, int, float]
#: Anything a command takes as a value.
EncodableT = Union[bytes, bytearray, memoryview, str, int, float]

#: One key, or an iterable of them (``mget('a', 'b')``, ``mget(['a', 'b'])``).
KeysT = Union[KeyT, Iterable[KeyT]]

#: An int or a float.
Number = Union[int, float]
#: A relative expiry: seconds or milliseconds as an int, or a timedelta.
ExpiryT = Union[int, datetime.timedelta]
#: An absolute expiry: a unix time as an int, or a datetime.
AbsExpiryT = Union[int, datetime.datetime]
#: A score bound of ZRANGEBYSCORE and friends: a number, or '(1.5', '-inf'.
ZScoreBoundT = Union[float, str, bytes]
#: A BITFIELD offset: bits, or '#n' for the n-th field of the type.
BitfieldOffsetT = Union[int, str]
#: A stream entry id: '1526919030474-55', '$', '>', '-', '+' or 0.
StreamIdT = Union[int, bytes, str, memoryview]
#: The sorted sets of ZUNIONSTORE and friends: names, or name -> weight.
ZSetKeysT = Union[KeyT, Iterable[KeyT], Mapping[Any, Number]]
#: Turns a score read from the server (bytes or str) into a number.
ScoreCastT = Callable[[Any], Any]
#: A PubSub message handler: called with the message dict.
MessageHandlerT = Callable[[Dict[str, Any]], Any]
#: ssl_password: the private key's password, or a callable that returns it.
SSLPasswordT = Union[str, bytes, Callable[[], Union[str, bytes]]]
#: What ``set_response_callback`` takes: called with the reply as read
#: (and the command's options), it returns what the method returns.
ResponseCallbackT = Callable[..., Any]

#: The nodes a cluster command goes to: a node flag (RedisCluster.PRIMARIES,
#: REPLICAS, ALL_NODES, RANDOM, DEFAULT_NODE), a ClusterNode, or a list or
#: dict of them.
TargetNodesT = Union[str, 'ClusterNode', Iterable['ClusterNode'],
                     Mapping[Any, 'ClusterNode']]

#: The reply of a command method. Its shape depends on the command, on
#: decode_responses (bytes or str) and on the client: a pipeline's command
#: methods return the pipeline itself, so its commands chain.
ResponseT = Any

