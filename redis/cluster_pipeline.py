"""ClusterPipeline: a pipeline over the nodes of a Redis Cluster.

Without a transaction, execute() groups the commands by the node serving
their slot, writes every node's batch (one buffer, one send each) before
reading any reply, and returns the results in call order. Only the
commands that were refused go again, in a further round:

- MOVED: to the node named, whose slot the map takes at once; ASK: to the
  node named, after ASKING, the map unchanged;
- TRYAGAIN, CLUSTERDOWN (and LOADING): after a growing pause, up to the
  cluster's ``cluster_error_retry_attempts`` rounds;
- a node that could not be connected to (nothing was sent): to the slot's
  owner after a topology refresh, within the same budget.

Whether a command that failed otherwise may go again is redis.resend's
answer: a connection lost after a batch was sent leaves its writes'
outcome unknown, so they get the error (returned, or raised) and are never
sent twice; reads are sent again.

A transaction (``transaction=True``, or watch() then multi()) runs as
MULTI/EXEC on one node: every key must hash to one slot, else
ClusterCrossSlotError is raised before anything is sent. It runs through
the single-server pipeline (redis.pipeline) on that node's pool.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Iterable, List, Sequence, Tuple

from redis.client import StrictPipeline
from redis.cluster_commands import add_target_nodes
from redis.cluster_nodes import REPLICA
from redis.cluster_routing import ROUTES, command_route
from redis.commands import CoreCommands
from redis.commands.cluster import ClusterManagementCommands
from redis.exceptions import (
    AskError, ClusterCrossSlotError, ClusterDownError, ConnectionError,
    MovedError, RedisClusterException, RedisError, ResponseError,
    TimeoutError, TryAgainError,
)
from redis.pipeline import BasePipeline
from redis.resend import (
    CONNECT, READ, SEND, may_resend, proves_not_run,
)
from redis.typing import KeyT

if TYPE_CHECKING:
    from redis.cluster import RedisCluster

# Rounds of redirections (MOVED, ASK) a command may follow, as Redis
# Cluster clients commonly allow.
MAX_REDIRECTIONS = 16
# Pause before sending again what TRYAGAIN or CLUSTERDOWN refused:
# doubling from FIRST_PAUSE up to MOST_PAUSE seconds.
FIRST_PAUSE = 0.05
MOST_PAUSE = 1.0
ASKING = ('ASKING',)


class _Batch(object):
    "The commands of one round sent to one node, on one connection"
    __slots__ = ('node', 'pool', 'connection', 'indices', 'asking',
                 'unread')

    def __init__(self, node, pool):
        self.node = node
        self.pool = pool
        self.connection = None
        self.indices = []
        self.asking = set()  # indices sent after ASKING
        self.unread = False  # replies are due on the connection

    def __repr__(self):
        return '_Batch<%s,%d commands>' % (self.node.name, len(self.indices))


@add_target_nodes
class ClusterPipeline(BasePipeline, ClusterManagementCommands, CoreCommands):
    """Buffers commands of a RedisCluster and sends them on execute(), in
    one round trip per node (see the module docstring).

    With ``raise_on_error`` (the default) execute() raises the first
    failing command's error, prefixed ``Command # N (CMD ARGS) of pipeline
    caused error:``, after every reply was read; otherwise errors take
    their commands' places in the results, a ConnectionError too (its
    command may or may not have run), so the other nodes' results are
    never lost."""

    def __init__(self, cluster: RedisCluster,
                 transaction: bool = False) -> None:
        self.cluster = cluster
        self._node_pipe = None  # single-node pipeline of a transaction
        self._watched_slot = None
        BasePipeline.__init__(self, None, cluster.response_callbacks,
                              transaction, None)

    def __repr__(self) -> str:
        return '%s<%r,%d commands>' % (type(self).__name__, self.cluster,
                                       len(self.command_stack))

    def __bool__(self) -> bool:
        # a pipeline with nothing queued yet is still a pipeline
        return True

    def reset(self) -> None:
        """Forget the buffered commands and any WATCH (UNWATCH is sent
        when the connection still has one), and give connections back."""
        self.command_stack = []
        self.scripts = set()
        self.watching = False
        self.explicit_transaction = False
        self._watched_slot = None
        node_pipe, self._node_pipe = self._node_pipe, None
        if node_pipe is not None:
            node_pipe.reset()

    # ---- routing ---------------------------------------------------------

    def _slot_of(self, args):
        """The slot of the keys of ``args`` (ClusterCrossSlotError when
        they are in several), or None for a command without keys."""
        return self.cluster.determine_slot(*args)

    def _node_for(self, args, options):
        """The one node ``args`` goes to: by its key's slot (a replica for
        a read with ``read_from_replicas``), else as the cluster routes a
        keyless command; RedisClusterException for one that would go to
        several nodes, ClusterCrossSlotError for keys of several slots."""
        cluster = self.cluster
        route = ROUTES.get(args[0])
        if route is not None and route.single is not None and \
                (not options or 'target_nodes' not in options):
            # (most commands: one key, found without a call)
            return cluster.nodes_manager.get_node_from_slot(
                cluster.keyslot(args[route.single]),
                route.readonly and cluster.read_from_replicas)
        nodes = cluster.get_nodes_for_command(args, options)
        if len(nodes) != 1:
            raise RedisClusterException(
                '%s would go to %d nodes: not in a pipeline'
                % (args[0], len(nodes)))
        return nodes[0]

    # ---- WATCH and transactions -------------------------------------------

    def _transaction_slot(self, commands):
        """The one slot of every key in ``commands`` (and of the WATCHed
        keys), or None when none has a key. ClusterCrossSlotError when
        they hash to several."""
        slot = self._watched_slot
        for args, _ in commands:
            this = self._slot_of(args)
            if this is None:
                continue
            if slot is None:
                slot = this
            elif this != slot:
                raise ClusterCrossSlotError(
                    'Keys in a transaction must hash to one slot: %r '
                    'is in slot %d, not %d' % (args, this, slot))
        return slot

    def _open_node_pipeline(self, slot):
        """A single-server pipeline (transaction=True) on the node serving
        ``slot`` (the default node for None), connected. A node that cannot
        be connected to got nothing: after a topology refresh the slot's
        owner is tried, up to ``cluster_error_retry_attempts`` times."""
        manager = self.cluster.nodes_manager
        pause = _Pause()
        while True:
            node = manager.default_node if slot is None else \
                manager.get_node_from_slot(slot)
            pipe = StrictPipeline(node.connection_pool,
                                  self.response_callbacks, True, None)
            connection = pipe.connection = \
                node.connection_pool.get_connection('MULTI')
            try:
                if not getattr(connection, 'is_connected', True):
                    connection.connect()
                return pipe
            except (ConnectionError, TimeoutError) as e:
                failed_at = time.monotonic()
                connection.disconnect()
                pipe.reset()
                if not may_resend(e, CONNECT, connection, transaction=True,
                                  elsewhere=True) or \
                        not pause.more(self.cluster):
                    raise
                if node is manager.default_node:
                    manager.replace_default_node(node)
                if not manager.refresh_after_failure(failed_at):
                    pause.wait()

    def immediate_execute_command(self, *args: Any, **options: Any) -> Any:
        """Run a command now, while keys are WATCHed (or the WATCH itself),
        on the connection to the node of the watched slot."""
        slot = self._transaction_slot([(args, options)])
        pipe = self._node_pipe
        if pipe is None:
            if slot is None:
                raise RedisClusterException(
                    '%s needs a WATCHed key first in a cluster pipeline'
                    % (args[0],))
            return self._first_watch(slot, args, options)
        try:
            return pipe.execute_command(*args, **options)
        finally:
            self.watching = pipe.watching

    def _first_watch(self, slot, args, options):
        # The first WATCH picks the node. A MOVED reply to it proves it did
        # not run: the slot map is corrected and the new owner asked.
        manager = self.cluster.nodes_manager
        for _ in range(MAX_REDIRECTIONS):
            pipe = self._open_node_pipeline(slot)
            try:
                result = pipe.execute_command(*args, **options)
            except MovedError as e:
                pipe.reset()
                manager.update_moved_exception(e)
                continue
            except BaseException:
                pipe.reset()
                raise
            self._node_pipe = pipe
            self._watched_slot = slot
            self.watching = pipe.watching
            return result
        raise RedisClusterException('Too many MOVED replies to WATCH')

    def _execute_transaction_on_slot(self, stack, raise_on_error):
        manager = self.cluster.nodes_manager
        slot = self._transaction_slot(stack)
        pause = _Pause()
        while True:
            pipe = self._node_pipe
            watched = pipe is not None and pipe.watching
            if pipe is None:
                pipe = self._node_pipe = self._open_node_pipeline(slot)
            pipe.scripts.update(self.scripts)
            for args, options in stack:
                pipe.pipeline_execute_command(*args, **options)
            try:
                return pipe.execute(raise_on_error)
            except (AskError, TryAgainError, ClusterDownError) as e:
                # A refusal of a queued command made EXEC abort: nothing
                # ran. It goes again, unless keys were WATCHed (on the
                # connection that was refused).
                self._node_pipe = None
                if watched or not pause.more(self.cluster):
                    raise
                if isinstance(e, MovedError):
                    manager.update_moved_exception(e)
                    continue
                if isinstance(e, ClusterDownError):
                    manager.refresh_due = True
                    manager.refresh_if_due()
                pause.wait()
            except BaseException:
                self._node_pipe = None
                raise

    # ---- execute -----------------------------------------------------------

    def execute(self, raise_on_error: bool = True,
                allow_redirections: bool = True) -> List[Any]:
        """Send every buffered command and return their results in call
        order (see the class docstring). ``allow_redirections=False``
        leaves MOVED and ASK errors as results instead of following them.
        The pipeline is reset afterwards, whatever happens."""
        stack = self.command_stack
        try:
            if not stack:
                return []
            manager = self.cluster.nodes_manager
            if manager.refresh_due:
                manager.refresh_if_due()  # a MOVED asked for it
            if self.transaction or self.explicit_transaction:
                return self._execute_transaction_on_slot(stack,
                                                         raise_on_error)
            if self.scripts:
                self.load_scripts()
            results = self._execute_by_node(stack, allow_redirections)
            return self._finish(stack, results, raise_on_error)
        finally:
            self.reset()

    def load_scripts(self) -> None:
        """Make sure every primary knows the Scripts queued here: the
        EVALSHA of each may go to any of them."""
        scripts = list(self.scripts)
        for node in self.cluster.get_primaries():
            client = self.cluster.get_redis_connection(node)
            exists = client.script_exists(*[s.sha for s in scripts])
            for script, exist in zip(scripts, exists):
                if not exist:
                    script.sha = client.script_load(script.script)

    def _finish(self, stack, results, raise_on_error):
        callbacks = self.response_callbacks
        for i, r in enumerate(results):
            if isinstance(r, Exception):
                continue
            args, options = stack[i]
            callback = callbacks.get(args[0])
            if callback is not None:
                if 'target_nodes' in options:
                    options = dict(options)
                    del options['target_nodes']
                results[i] = callback(r, **options)
        if raise_on_error:
            self.raise_first_error(stack, results)
        return results

    def raise_first_error(self, commands: Sequence[Tuple[Any, ...]],
                          response: Iterable[Any]) -> None:
        """Raise the first error among the results (a connection error
        too), its message prefixed with the command and its position."""
        for i, r in enumerate(response):
            if isinstance(r, RedisError):
                self.annotate_exception(r, i + 1, commands[i][0])
                raise r

    def _execute_by_node(self, stack, allow_redirections):
        manager = self.cluster.nodes_manager
        results = [None] * len(stack)
        # routing errors (keys of several slots, a command for several
        # nodes) are raised here, before anything is sent
        routes = [self._node_for(args, options) for args, options in stack]
        todo = list(range(len(stack)))
        asked = {}  # index -> the node an ASK named, for the next round
        rounds = 0
        pause = _Pause()
        while True:
            batches = self._group(todo, routes, asked)
            sent_at = time.monotonic()
            again = self._round_trip(stack, batches, results)
            rounds += 1
            last_asked, asked, todo = asked, {}, []
            redirected, refused = [], []
            for i in again:
                if isinstance(results[i], AskError):  # MOVED too
                    redirected.append(i)
                else:
                    refused.append(i)
            if redirected and allow_redirections and \
                    rounds <= MAX_REDIRECTIONS:
                for i in redirected:
                    error = results[i]
                    if isinstance(error, MovedError):
                        routes[i] = manager.update_moved_exception(error)
                    else:
                        asked[i] = manager.node_at(error.host, error.port)
                    todo.append(i)
            # refusals (TRYAGAIN, CLUSTERDOWN, LOADING) and nodes that could
            # not be reached share the cluster's retry budget, per round
            if refused and pause.more(self.cluster):
                lost = False
                for i in refused:
                    error = results[i]
                    if isinstance(error, (ConnectionError, TimeoutError)) \
                            and not proves_not_run(error):
                        lost = True
                        self._node_lost(last_asked.get(i) or routes[i])
                    elif isinstance(error, ClusterDownError):
                        manager.refresh_due = True
                    routes[i] = None
                    todo.append(i)
                if lost:
                    if not manager.refresh_after_failure(sent_at):
                        pause.wait()
                else:
                    if manager.refresh_due:
                        manager.refresh_if_due()
                    pause.wait()
            if not todo:
                return results
            for i in todo:
                if routes[i] is None:
                    routes[i] = self._node_for(*stack[i])

    def _node_lost(self, node):
        manager = self.cluster.nodes_manager
        if node.server_type == REPLICA:
            manager.mark_failed(node)  # its reads go elsewhere meanwhile
        elif node is manager.default_node:
            manager.replace_default_node(node)

    def _group(self, todo, routes, asked):
        batches = {}
        for i in todo:
            node = asked.get(i) or routes[i]
            batch = batches.get(node.name)
            if batch is None:
                batch = batches[node.name] = _Batch(node,
                                                    node.connection_pool)
            batch.indices.append(i)
            if i in asked:
                batch.asking.add(i)
        return list(batches.values())

    def _round_trip(self, stack, batches, results):
        """Send every batch, then read every batch; fill ``results`` and
        return the indices that may go again (their error is in results
        meanwhile)."""
        again = []
        try:
            # everything is packed before anything is sent: an argument
            # that cannot be encoded fails the pipeline with nothing run
            packed = [self._pack(stack, batch) for batch in batches]
            for batch, buffers in zip(batches, packed):
                self._send(stack, batch, buffers, results, again)
            for batch in batches:
                if batch.unread:
                    self._read(stack, batch, results, again)
        finally:
            for batch in batches:
                connection = batch.connection
                if connection is None:
                    continue
                if batch.unread:
                    # interrupted before its replies were read: they would
                    # be taken for the next user's
                    connection.disconnect()
                batch.pool.release(connection)
        return again

    def _pack(self, stack, batch):
        commands = []
        for i in batch.indices:
            if i in batch.asking:
                commands.append(ASKING)
            commands.append(stack[i][0])
        connection = batch.pool.get_connection(commands[0][0])
        batch.connection = connection
        return connection.pack_commands(commands)

    def _send(self, stack, batch, packed, results, again):
        connection = batch.connection
        stage = CONNECT
        try:
            if not getattr(connection, 'is_connected', True):
                connection.connect()
            stage = SEND
            batch.unread = True
            connection.send_packed_command(packed)
        except (ConnectionError, TimeoutError) as e:
            batch.unread = False
            connection.disconnect()
            several = len(batch.indices) > 1
            for i in batch.indices:
                results[i] = e
                # A failed connect sent nothing: after a refresh the
                # slot's new owner may take the commands.
                if may_resend(e, stage, connection, batch=several,
                              idempotent=_reads_only(stack[i][0]),
                              elsewhere=True):
                    again.append(i)

    def _read(self, stack, batch, results, again):
        connection = batch.connection
        read = connection.read_response
        indices = batch.indices
        asking = batch.asking
        for n, i in enumerate(indices):
            try:
                if asking and i in asking:
                    try:
                        read()
                    except ResponseError:
                        pass  # the command's own reply says more
                r = read()
            except ResponseError as e:
                results[i] = e
                if proves_not_run(e):
                    again.append(i)
                continue
            except (ConnectionError, TimeoutError) as e:
                batch.unread = False
                connection.disconnect()
                if proves_not_run(e):
                    # a refusal (LOADING) for this command alone; the rest
                    # of the batch was sent and may have run
                    results[i] = e
                    again.append(i)
                    n += 1
                for j in indices[n:]:
                    results[j] = e
                    if may_resend(e, READ, connection, batch=True,
                                  idempotent=_reads_only(stack[j][0])):
                        again.append(j)
                return
            results[i] = r
        batch.unread = False

    def watch(self, *names: KeyT) -> Any:
        """WATCH ``names`` (all in one slot) on the node serving it and
        switch to immediate mode until multi()"""
        return BasePipeline.watch(self, *names)

    def multi(self) -> None:
        """After watch(): buffer the commands that follow again, to run
        as one transaction on the watched slot's node at execute()"""
        BasePipeline.multi(self)


def _reads_only(args):
    "Whether command ``args`` only reads (so running it twice is harmless)"
    route = command_route(args)
    return route is not None and route.readonly


class _Pause(object):
    """The cluster's retry budget for refusals (TRYAGAIN, CLUSTERDOWN, an
    unreachable node) and the growing pause between attempts."""

    def __init__(self):
        self.attempts = 0
        self.delay = FIRST_PAUSE

    def __repr__(self):
        return '_Pause<attempts=%d,delay=%s>' % (self.attempts, self.delay)

    def more(self, cluster):
        self.attempts += 1
        return self.attempts <= cluster.cluster_error_retry_attempts

    def wait(self):
        time.sleep(self.delay)
        self.delay = min(self.delay * 2, MOST_PAUSE)


__all__ = ['ClusterPipeline']
