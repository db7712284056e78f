"""Publishing and PUBSUB introspection; subscribing lives in redis.pubsub."""
from __future__ import annotations

from typing import Any

from redis.typing import ChannelT, EncodableT, PatternT, ResponseT


class PubSubCommands(object):
    "Publishing and PUBSUB introspection; subscribing lives in redis.pubsub"

    def publish(self, channel: ChannelT, message: EncodableT) -> ResponseT:
        "Send ``message`` on ``channel``; the number of clients that got it"
        return self.execute_command('PUBLISH', channel, message)

    def pubsub_channels(self, pattern: PatternT = '*') -> ResponseT:
        "The channels with subscribers whose names match ``pattern``"
        return self.execute_command('PUBSUB CHANNELS', pattern)

    def pubsub_numpat(self) -> ResponseT:
        "The number of pattern subscriptions of all clients"
        return self.execute_command('PUBSUB NUMPAT')

    def pubsub_numsub(self, *args: ChannelT) -> ResponseT:
        "A list of (channel, number of subscribers) tuples for ``args``"
        return self.execute_command('PUBSUB NUMSUB', *args)

    def pubsub_shardchannels(self, pattern: PatternT = '*',
                             **kwargs: Any) -> ResponseT:
        "The shard channels with subscribers whose names match ``pattern``"
        return self.execute_command('PUBSUB SHARDCHANNELS', pattern,
                                    **kwargs)

    def pubsub_shardnumsub(self, *args: ChannelT, **kwargs: Any) -> ResponseT:
        """A list of (shard channel, number of subscribers) tuples for
        ``args``"""
        return self.execute_command('PUBSUB SHARDNUMSUB', *args, **kwargs)

    def spublish(self, shard_channel: ChannelT,
                 message: EncodableT) -> ResponseT:
        """Send ``message`` on the shard channel ``shard_channel``; the
        number of clients that got it"""
        return self.execute_command('SPUBLISH', shard_channel, message)
