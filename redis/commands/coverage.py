"""The one list of the server's commands that StrictRedis offers no method
for, each with the reason, and how a command name maps to its method.

tests/test_command_coverage.py holds every command of ``COMMAND LIST`` of
the test server against these tables, and the README's section "Commands
not offered as methods" is ``readme_text()`` of them.
"""
import textwrap

PUBSUB = ('a subscription turns the connection into a message stream: '
          'PubSub objects (client.pubsub()) own it')
PIPELINE = ('a transaction spans several commands on one connection: '
            'pipelines (client.pipeline()) own it')
POOLED = ('changes the state of the one pooled connection it runs on, which '
          'the next caller would inherit')
REPLICATION = ('turns the connection into a replication stream: for '
               'replicas, not clients')
CLUSTER_INTERNAL = ('a cluster node sends it to another while slots move or '
                    'replicas serve reads; a cluster client sends it itself '
                    'where needed')
HELP = 'usage text for people at redis-cli'
SELF_TEST = "a test of the server's own code, for its developers"

# command (subcommands as 'CONTAINER SUB') -> why no method offers it
NOT_OFFERED = {
    'SUBSCRIBE': PUBSUB,
    'PSUBSCRIBE': PUBSUB,
    'SSUBSCRIBE': PUBSUB,
    'UNSUBSCRIBE': PUBSUB,
    'PUNSUBSCRIBE': PUBSUB,
    'SUNSUBSCRIBE': PUBSUB,
    'MULTI': PIPELINE,
    'EXEC': PIPELINE,
    'DISCARD': PIPELINE,
    'WATCH': PIPELINE + ' (StrictRedis.watch only warns, as in 2.10.6)',
    'UNWATCH': PIPELINE + ' (StrictRedis.unwatch only warns, as in '
                          '2.10.6)',
    'MONITOR': ('streams every command the server runs on the connection '
                'that asked, for good: offered only as client.monitor(), '
                'a Monitor with a connection of its own'),
    'SYNC': REPLICATION,
    'PSYNC': REPLICATION,
    'REPLCONF': REPLICATION,
    'QUIT': ('closes the connection it runs on: use '
             'client.connection_pool.disconnect()'),
    'RESET': POOLED + ' (it drops the database, user, name and modes the '
                      'pool set up)',
    'HELLO': POOLED + ' (it switches the protocol; this client speaks '
                      'RESP2)',
    'SELECT': POOLED + ': give db= to the client',
    'AUTH': POOLED + ': give password= (and username=) to the client',
    'CLIENT CACHING': ('acts on the next command of the same connection, '
                       'which a pool does not promise: send it with '
                       "execute_command in a pipeline (transaction=False) "
                       'followed by that command'),
    'ASKING': CLUSTER_INTERNAL,
    'READONLY': CLUSTER_INTERNAL,
    'READWRITE': CLUSTER_INTERNAL,
    'RESTORE-ASKING': CLUSTER_INTERNAL,
    'SCRIPT DEBUG': ("starts the interactive Lua debugger, which redis-cli "
                     "drives"),
    'PFDEBUG': SELF_TEST,
    'PFSELFTEST': SELF_TEST,
}

# Subcommands every container command has (except where a method exists)
NOT_OFFERED_SUBCOMMANDS = {
    'HELP': HELP,
}

# Offered, but not in every form the server has
PARTLY_OFFERED = {
    'CLIENT REPLY': ("client_reply('ON') only: with OFF or SKIP a pooled "
                     "connection would wait for replies that never come, "
                     'or hand one command the reply of another '
                     '(DataError)'),
    'DEBUG': ('debug_object(key) only: the other subcommands crash, stall '
              'or corrupt the server on purpose, for its tests'),
}

# Where the method is not the command's name in lower case with '-' and ' '
# turned into '_'
METHOD_NAMES = {
    'DEL': 'delete',
    'DEBUG': 'debug_object',
}

# Containers whose subcommands all go through one method taking the
# subcommand's name
GENERIC_METHODS = {
    'CLUSTER': 'cluster',
    'OBJECT': 'object',
}


def command_key(name):
    "'client|no-evict' (as COMMAND LIST writes it) -> 'CLIENT NO-EVICT'"
    return name.replace('|', ' ').upper()


def method_name(command):
    "The name of the StrictRedis method that sends ``command`` (a key)"
    container = command.split(' ', 1)[0]
    if ' ' in command and container in GENERIC_METHODS:
        return GENERIC_METHODS[container]
    if command in METHOD_NAMES:
        return METHOD_NAMES[command]
    return command.lower().replace('-', '_').replace(' ', '_')


def not_offered_reason(command):
    "Why ``command`` (a key) has no method, or None"
    if command in NOT_OFFERED:
        return NOT_OFFERED[command]
    if ' ' in command:
        return NOT_OFFERED_SUBCOMMANDS.get(command.split(' ', 1)[1])
    return None


def _item(text):
    # one reStructuredText bullet, wrapped as the README's text is
    return textwrap.fill(text, 79, initial_indent='* ',
                         subsequent_indent='  ', break_on_hyphens=False,
                         break_long_words=False)


def _entries(table):
    return [_item('``%s``: %s.' % (command, reason))
            for command, reason in sorted(table.items())]


def readme_text():
    """The README's list (reStructuredText) of the commands not offered,
    and of those offered in part"""
    lines = _entries(NOT_OFFERED)
    lines += [_item('``%s`` of any command without a ``<command>_help`` '
                    'method (``acl_help`` exists): %s.' % (sub, reason))
              for sub, reason in sorted(NOT_OFFERED_SUBCOMMANDS.items())]
    lines += ['', 'Offered in part:', '']
    lines += _entries(PARTLY_OFFERED)
    return '\n'.join(lines) + '\n'
