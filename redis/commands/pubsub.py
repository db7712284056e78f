"""Publishing and PUBSUB introspection; subscribing lives in redis.pubsub."""


class PubSubCommands(object):
    """Publishing and PUBSUB introspection; subscribing lives in redis.pubsub."""
