"""Signatures of 2.10.6 server/scripting methods that take new trailing
keyword arguments for options of later Redis versions (today's redis-py
names and defaults). test_api_surface.py checks each against 2.10.6's:
every 2.10.6 call keeps its meaning."""

ADMIN_EXTENSIONS = {
    'redis.client.StrictRedis.client_list':
        '(self, _type=None, client_id=[], **kwargs)',
    'redis.client.StrictRedis.flushall':
        '(self, asynchronous=False, **kwargs)',
    'redis.client.StrictRedis.flushdb':
        '(self, asynchronous=False, **kwargs)',
    'redis.client.StrictRedis.script_flush':
        '(self, sync_type=None)',
    'redis.client.StrictRedis.shutdown': (
        '(self, save=False, nosave=False, now=False, force=False, '
        'abort=False, **kwargs)'
    ),
}
