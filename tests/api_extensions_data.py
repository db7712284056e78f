"""Signatures of 2.10.6 data-command methods that take new trailing
keyword arguments for options of later Redis versions (today's redis-py
names and defaults). test_api_surface.py checks each against 2.10.6's:
every 2.10.6 call keeps its meaning."""

DATA_EXTENSIONS = {
    'redis.client.StrictRedis.bitcount':
        '(self, key, start=None, end=None, mode=None)',
    'redis.client.StrictRedis.bitpos':
        '(self, key, bit, start=None, end=None, mode=None)',
    'redis.client.StrictRedis.expire':
        '(self, name, time, nx=False, xx=False, gt=False, lt=False)',
    'redis.client.StrictRedis.expireat':
        '(self, name, when, nx=False, xx=False, gt=False, lt=False)',
    'redis.client.StrictRedis.geoadd':
        '(self, name, *values, nx=False, xx=False, ch=False)',
    'redis.client.StrictRedis.georadius': (
        '(self, name, longitude, latitude, radius, unit=None, '
        'withdist=False, withcoord=False, withhash=False, count=None, '
        'sort=None, store=None, store_dist=None, any=False)'
    ),
    'redis.client.StrictRedis.georadiusbymember': (
        '(self, name, member, radius, unit=None, withdist=False, '
        'withcoord=False, withhash=False, count=None, sort=None, '
        'store=None, store_dist=None, any=False)'
    ),
    'redis.client.StrictRedis.hset':
        '(self, name, key=None, value=None, mapping=None, items=None)',
    'redis.client.StrictRedis.lpop':
        '(self, name, count=None)',
    'redis.client.StrictRedis.pexpire':
        '(self, name, time, nx=False, xx=False, gt=False, lt=False)',
    'redis.client.StrictRedis.pexpireat':
        '(self, name, when, nx=False, xx=False, gt=False, lt=False)',
    'redis.client.StrictRedis.restore': (
        '(self, name, ttl, value, replace=False, absttl=False, '
        'idletime=None, frequency=None)'
    ),
    'redis.client.StrictRedis.rpop':
        '(self, name, count=None)',
    'redis.client.StrictRedis.scan':
        '(self, cursor=0, match=None, count=None, _type=None)',
    'redis.client.StrictRedis.scan_iter':
        '(self, match=None, count=None, _type=None)',
    'redis.client.StrictRedis.set': (
        '(self, name, value, ex=None, px=None, nx=False, xx=False, '
        'keepttl=False, get=False, exat=None, pxat=None)'
    ),
    'redis.client.StrictRedis.spop':
        '(self, name, count=None)',
    'redis.client.StrictRedis.zrange': (
        '(self, name, start, end, desc=False, withscores=False, '
        'score_cast_func=float, byscore=False, bylex=False, offset=None, '
        'num=None)'
    ),
}
