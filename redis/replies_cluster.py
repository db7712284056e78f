"""Reply conversions of the cluster client (RedisCluster) in the shapes of
today's redis-py; a plain StrictRedis keeps 2.10.6's replies for these
commands."""
from redis.replies_server import parse_cluster_info, parse_cluster_nodes


def _text(value):
    return value.decode('utf-8', 'replace') if isinstance(value, bytes) \
        else value


def parse_cluster_slots(response, **options):
    """CLUSTER SLOTS as {(first slot, last slot): {'primary': (host, port),
    'replicas': [(host, port), ...]}}; an empty host (the node asked) is
    ``current_host``."""
    current_host = options.get('current_host', '')

    def address(entry):
        return (_text(entry[0]) or current_host, entry[1])

    slots = {}
    for entry in response:
        slots[entry[0], entry[1]] = {
            'primary': address(entry[2]),
            'replicas': [address(replica) for replica in entry[3:]],
        }
    return slots


def _pairs(flat):
    return dict(zip(flat[::2], flat[1::2]))


def parse_cluster_shards(response, **options):
    """CLUSTER SHARDS as [{'slots': [(first, last), ...], 'nodes': [{field:
    value}, ...]}] (field names as the server sent them)"""
    shards = []
    for shard in response:
        if isinstance(shard, dict):
            shards.append(shard)
            continue
        fields = _pairs(shard)
        ranges = None
        nodes = None
        for name, value in fields.items():
            if _text(name) == 'slots':
                ranges = [(value[i], value[i + 1])
                          for i in range(0, len(value), 2)]
            elif _text(name) == 'nodes':
                nodes = [_pairs(node) for node in value]
        shards.append({'slots': ranges or [], 'nodes': nodes or []})
    return shards


def parse_cluster_myshardid(response, **options):
    return _text(response)


def _bool_ok(response, **options):
    return _text(response) == 'OK'


def _as_text(response, **options):
    return _text(response)


def _int(response, **options):
    return int(response)


CLUSTER_RESPONSE_CALLBACKS = {
    'CLUSTER SLOTS': parse_cluster_slots,
    'CLUSTER SHARDS': parse_cluster_shards,
    'CLUSTER MYSHARDID': parse_cluster_myshardid,
    'CLUSTER MYID': _as_text,
    'CLUSTER INFO': parse_cluster_info,
    'CLUSTER NODES': parse_cluster_nodes,
    'CLUSTER REPLICAS': parse_cluster_nodes,
    'CLUSTER KEYSLOT': _int,
    'CLUSTER COUNTKEYSINSLOT': _int,
    'CLUSTER ADDSLOTSRANGE': _bool_ok,
    'CLUSTER DELSLOTSRANGE': _bool_ok,
    'CLUSTER BUMPEPOCH': _as_text,
    'READONLY': _bool_ok,
    'READWRITE': _bool_ok,
    'ASKING': _bool_ok,
}

__all__ = ['CLUSTER_RESPONSE_CALLBACKS', 'parse_cluster_slots',
           'parse_cluster_shards', 'parse_cluster_myshardid']
