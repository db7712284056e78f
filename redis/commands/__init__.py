"""The command methods of StrictRedis, one mixin per data type."""
from redis.commands.acl import ACLCommands
from redis.commands.cluster import ClusterCommands
from redis.commands.geo import GeoCommands
from redis.commands.hashes import HashCommands
from redis.commands.hyperloglog import HyperLogLogCommands
from redis.commands.keys import KeyCommands
from redis.commands.lists import ListCommands
from redis.commands.pubsub import PubSubCommands
from redis.commands.scan import ScanCommands
from redis.commands.scripting import ScriptingCommands
from redis.commands.sentinel import SentinelCommands
from redis.commands.server import ServerCommands
from redis.commands.sets import SetCommands
from redis.commands.sortedsets import SortedSetCommands
from redis.commands.streams import StreamCommands
from redis.commands.strings import StringCommands


class CoreCommands(KeyCommands, StringCommands, ListCommands, SetCommands,
                   SortedSetCommands, HashCommands, HyperLogLogCommands,
                   GeoCommands, ScanCommands, ServerCommands,
                   ScriptingCommands, PubSubCommands, SentinelCommands,
                   ClusterCommands, StreamCommands, ACLCommands):
    "Every command of StrictRedis; each mixin only calls execute_command"
