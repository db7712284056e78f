"""Reply conversions of the server, connection, ACL, scripting/function
and pubsub-introspection commands added after Redis 3.0, in the shapes
today's redis-py returns."""

ADMIN_CALLBACKS = {}
