"""Pipelines: buffered commands sent in one round trip, optionally as a
MULTI/EXEC transaction.

``BasePipeline`` is mixed in front of a client class (``StrictPipeline``,
``Pipeline`` in ``redis.client``), so every command method of the client
queues instead of running: ``execute_command`` is the only thing that
changes.

The overridable methods are called where and as 2.10.6 called them:
``execute_command`` hands each command to ``pipeline_execute_command`` or
``immediate_execute_command``; ``execute`` to ``_execute_transaction`` or
``_execute_pipeline``, which read every reply through ``parse_response``
and report errors through ``annotate_exception`` and
``raise_first_error``.
"""
from __future__ import annotations

import functools
from types import TracebackType
from typing import (
    Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Type,
    TypeVar,
)

from redis.connection_classes import Connection, connection_is_open
from redis.exceptions import (
    BusyLoadingError, ConnectionError, ExecAbortError, ResponseError,
    RedisError, TimeoutError, WatchError,
)
from redis.forksafe import current_pid
from redis.pool import ConnectionPool
from redis.resend import CONNECT, READ, SEND, may_resend
from redis.typing import KeyT

WATCH_LOST_MESSAGE = ("A ConnectionError occured on while watching one or "
                      "more keys")
MULTI = ('MULTI',)
EXEC = ('EXEC',)
# the name 2.10.6 parsed the replies of MULTI, of queued commands and of
# EXEC under: no callback is registered for it
TRANSACTION_REPLY = '_'

_PipelineT = TypeVar('_PipelineT', bound='BasePipeline')


def _safe_str(value):
    "An argument or message as text, whatever it was sent as"
    if isinstance(value, bytes):
        return value.decode('utf-8', 'replace')
    return str(value)


HIDDEN = '<hidden>'
# CONFIG SET parameters whose values are credentials
_SECRET_CONFIG = frozenset(('requirepass', 'masterauth', 'masteruser',
                            'tls-key-file-pass', 'tls-client-key-file-pass'))


def shown_arguments(args):
    """The text of a command's arguments for an error message, with the
    credentials it carries (AUTH, HELLO ... AUTH, MIGRATE ... AUTH/AUTH2,
    ACL SETUSER passwords and hashes, CONFIG SET requirepass ...) replaced
    by ``<hidden>``: error messages end up in logs."""
    words = [_safe_str(arg) for arg in args]
    if not words:
        return words
    words[:1] = words[0].split()
    name = ' '.join(words[:2]).upper()
    command = words[0].upper() if words else ''
    hide_next = 0
    for i in range(1, len(words)):
        word = words[i]
        upper = word.upper()
        if hide_next:
            words[i] = HIDDEN
            hide_next -= 1
        elif command == 'AUTH':
            words[i] = HIDDEN
        elif command in ('HELLO', 'MIGRATE') and upper == 'AUTH':
            hide_next = 2 if command == 'HELLO' else 1
        elif command == 'MIGRATE' and upper == 'AUTH2':
            hide_next = 2
        elif name == 'ACL SETUSER' and word[:1] in '><#!' and word:
            words[i] = word[0] + HIDDEN
        elif name == 'CONFIG SET' and i % 2 and i > 2 and \
                words[i - 1].lower() in _SECRET_CONFIG:
            words[i] = HIDDEN
    return words


def _client_parse_response():
    # StrictRedis' own parse_response, as 2.10.6 called it by name (so a
    # class of the user's between BasePipeline and StrictRedis does not see
    # pipeline replies). Imported late: redis.client imports this module.
    from redis.client import StrictRedis
    return StrictRedis.parse_response


class BasePipeline(object):
    """Queues commands and sends them together on execute().

    By default the batch runs as one MULTI/EXEC transaction: no other
    client's command runs in the middle of it. With ``transaction=False``
    the batch is only pipelined (one round trip, no atomicity).

    A failing command does not stop the others: execute() raises the first
    error after all replies are read, or, with ``raise_on_error=False``,
    returns the exception objects (ResponseErrors) among the results.

    After watch(), commands run at once (to read the values a transaction
    depends on) until multi() starts buffering again; execute() then
    raises WatchError when a watched key changed in the meantime. The
    pipeline keeps one connection from watch() until reset(), which
    execute() and the ``with`` block call.
    """

    # the server forgets every WATCH after these
    UNWATCH_COMMANDS = set(('DISCARD', 'EXEC', 'UNWATCH'))

    def __init__(self, connection_pool: ConnectionPool,
                 response_callbacks: Dict[str, Callable[..., Any]],
                 transaction: bool, shard_hint: Optional[str]) -> None:
        self.connection_pool = connection_pool
        self.connection = None
        self.response_callbacks = response_callbacks
        self.transaction = transaction
        self.shard_hint = shard_hint
        self._use_lua_lock = None
        self.watching = False
        self._replies_pending = False
        # decided once: a lookup on the class per queued command costs
        # more than queuing itself
        self._queues_itself = \
            type(self).pipeline_execute_command is _QUEUE
        self.reset()

    def __enter__(self: _PipelineT) -> _PipelineT:
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]],
                 exc_value: Optional[BaseException],
                 traceback: Optional[TracebackType]) -> None:
        self.reset()

    def __del__(self) -> None:
        # A pipeline dropped mid-WATCH must not keep its connection. One that
        # holds none has nothing to clean up, unless a subclass' reset()
        # expects to hear about it, as it did in 2.10.6.
        if getattr(self, 'connection', None) is None and \
                type(self).reset is BasePipeline.reset:
            return
        try:
            self.reset()
        except Exception:
            pass

    def __len__(self) -> int:
        return len(self.command_stack)

    def reset(self) -> None:
        """Forget the buffered commands and any WATCH (sending UNWATCH when
        the connection still has one), and give the connection back to the
        pool."""
        self.command_stack = []
        self.scripts = set()
        conn = self.connection
        try:
            if conn is not None and self._replies_pending:
                # execute() was interrupted (KeyboardInterrupt, a failing
                # callback...) before it read every reply: the rest would be
                # taken for the next user's
                conn.disconnect()
            elif conn is not None and \
                    getattr(conn, 'pid', None) != current_pid():
                # inherited across fork(): the socket is the parent's
                pass
            elif self.watching and conn is not None and \
                    connection_is_open(conn):
                try:
                    conn.send_command('UNWATCH')
                    conn.read_response()
                except Exception:
                    # a connection in an unknown state must not be reused
                    conn.disconnect()
        finally:
            self._replies_pending = False
            self.watching = False
            self.explicit_transaction = False
            if conn is not None:
                self.connection = None
                self.connection_pool.release(conn)

    def multi(self) -> None:
        """After watch(): buffer the commands that follow again, to run
        as one transaction on execute()."""
        if self.explicit_transaction:
            raise RedisError('Cannot issue nested calls to MULTI')
        if self.command_stack:
            raise RedisError('Commands without an initial WATCH have already '
                             'been issued')
        self.explicit_transaction = True

    def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        "Queue the command, or run it now between watch() and multi()"
        if (self.watching or args[0] == 'WATCH') and \
                not self.explicit_transaction:
            return self.immediate_execute_command(*args, **kwargs)
        if not self._queues_itself:
            return self.pipeline_execute_command(*args, **kwargs)
        # What pipeline_execute_command does, without the call, which costs
        # more than queuing itself, while no class overrides it.
        self.command_stack.append((args, kwargs))
        return self

    def pipeline_execute_command(self: _PipelineT, *args: Any,
                                 **options: Any) -> _PipelineT:
        """Add a command to the batch and return the pipeline, so calls
        chain: ``pipe.set('a', 1).incr('b').execute()``."""
        self.command_stack.append((args, options))
        return self

    def _watch_lost(self):
        self.reset()
        return WatchError(WATCH_LOST_MESSAGE)

    def immediate_execute_command(self, *args: Any, **options: Any) -> Any:
        """Run a command now on the pipeline's own connection, which it
        keeps (with its WATCHes) until reset().

        The command is sent again, once, only when redis.resend allows it
        (it cannot have run, or a read timed out with
        ``retry_on_timeout``). Never while keys are watched: the WATCH is
        lost with the connection, so that raises WatchError (a refusal
        raises itself).

        As in 2.10.6, a connection error disconnects the connection and
        resets the pipeline (the connection goes back to the pool); after a
        timeout the pipeline keeps its (closed) connection.
        """
        command_name = args[0]
        conn = self.connection
        if conn is None:
            conn = self.connection_pool.get_connection(command_name,
                                                       self.shard_hint)
            self.connection = conn
        was_connected = connection_is_open(conn)
        try:
            try:
                conn.send_command(*args)
            except ConnectionError as e:
                if not may_resend(e, SEND if was_connected else CONNECT,
                                  conn, watching=self.watching):
                    raise
                conn.disconnect()
                conn.send_command(*args)
            try:
                return self.parse_response(conn, command_name, **options)
            except (BusyLoadingError, TimeoutError) as e:
                if not may_resend(e, READ, conn, watching=self.watching):
                    raise
            conn.disconnect()
            conn.send_command(*args)
            return self.parse_response(conn, command_name, **options)
        except (ConnectionError, TimeoutError) as e:
            conn.disconnect()
            if self.watching and not isinstance(e, BusyLoadingError):
                raise self._watch_lost()
            if isinstance(e, ConnectionError):
                self.reset()
            raise

    def parse_response(self, connection: Connection, command_name: str,
                       **options: Any) -> Any:
        result = _client_parse_response()(self, connection, command_name,
                                          **options)
        if command_name in self.UNWATCH_COMMANDS:
            self.watching = False
        elif command_name == 'WATCH':
            self.watching = True
        return result

    def _parses_plainly(self):
        # parse_response is BasePipeline's own: replies can be read in a
        # tight loop that does just what it would do, without a call each
        method = self.parse_response
        return getattr(method, '__func__', None) is BasePipeline.parse_response

    def annotate_exception(self, exception: Exception, number: int,
                           command: Iterable[Any]) -> None:
        """Prefix the error's message with the failing command and its
        1-based position in the pipeline."""
        cmd = ' '.join(shown_arguments(command))
        original = exception.args[0] if exception.args else ''
        msg = 'Command # %d (%s) of pipeline caused error: %s' % (
            number, cmd, _safe_str(original))
        exception.args = (msg,) + tuple(exception.args[1:])

    def raise_first_error(self, commands: Sequence[Tuple[Any, ...]],
                          response: Iterable[Any]) -> None:
        for i, r in enumerate(response):
            if isinstance(r, ResponseError):
                self.annotate_exception(r, i + 1, commands[i][0])
                raise r

    def load_scripts(self) -> None:
        """Make sure the server knows every Script queued in this pipeline:
        one SCRIPT EXISTS for all of them, a SCRIPT LOAD for each missing
        one, run now on the pipeline's connection."""
        scripts = list(self.scripts)
        immediate = self.immediate_execute_command
        exists = immediate('SCRIPT EXISTS', *[s.sha for s in scripts])
        for script, exist in zip(scripts, exists):
            if not exist:
                script.sha = immediate('SCRIPT LOAD', script.script)

    def _send(self, conn, packed, transaction):
        if self.watching:
            # A connection the server closed (restart, CLIENT KILL, idle
            # timeout) has lost its WATCH: say so before sending anything.
            check = getattr(conn, 'is_idle_and_healthy', None)
            if not connection_is_open(conn) or \
                    (check is not None and not check()):
                conn.disconnect()
                raise WatchError(WATCH_LOST_MESSAGE)
        elif not connection_is_open(conn):
            # Connecting apart from sending tells "nothing left" apart from
            # "some of it may have left" (a failed connect raises here).
            conn.connect()
        self._replies_pending = True
        try:
            conn.send_packed_command(packed)
        except (ConnectionError, TimeoutError) as e:
            conn.disconnect()
            if self.watching:
                raise WatchError(WATCH_LOST_MESSAGE)
            if not may_resend(e, SEND, conn, batch=True,
                              transaction=transaction):
                raise
            conn.send_packed_command(packed)

    def execute(self, raise_on_error: bool = True) -> List[Any]:
        """Execute all the buffered commands in one round trip and return
        their results, in order, through the client's response callbacks.

        With ``raise_on_error`` the first failing command's error is raised
        (after every reply was read), its message prefixed with
        ``Command # N (CMD ARGS) of pipeline caused error:``; otherwise
        errors are returned in place of results. In a transaction, a command
        the server rejects while queuing aborts it: nothing is applied and
        that command's error is raised (whatever ``raise_on_error``); a
        changed watched key raises WatchError.

        Connection errors (a refusal such as BusyLoadingError too) are
        raised whatever ``raise_on_error``, after the connection was closed.
        The batch is sent again once, on a fresh connection, only when
        redis.resend allows it: sending a transaction failed (its EXEC never
        arrived whole, so the server ran none of it), or a read timed out
        with ``retry_on_timeout``, the opt-in of 2.10.6. A non-transactional batch whose send failed, and
        any batch whose replies could not be read, raise the ConnectionError
        or TimeoutError: some or all of it may have run, and only the caller
        can decide whether to run it again. While keys are watched, a
        connection found closed before sending, or a failed send, raises
        WatchError (the server forgot the WATCH, nothing ran); a failure
        after the batch was sent still raises the ConnectionError, since
        EXEC may have run.

        The pipeline is reset afterwards, whatever happens.
        """
        stack = self.command_stack
        if not stack:
            self.reset()
            return []
        try:
            if self.scripts:
                self.load_scripts()
            if self.transaction or self.explicit_transaction:
                execute = self._execute_transaction
            else:
                execute = self._execute_pipeline
            conn = self.connection
            if conn is None:
                conn = self.connection_pool.get_connection('MULTI',
                                                           self.shard_hint)
                self.connection = conn
            was_watching = self.watching
            try:
                return execute(conn, stack, raise_on_error)
            except (ConnectionError, TimeoutError) as e:
                conn.disconnect()
                if not may_resend(e, READ, conn, batch=True):
                    raise
                if was_watching:
                    raise WatchError(WATCH_LOST_MESSAGE)
                return execute(conn, stack, raise_on_error)
        finally:
            self.reset()

    def _execute_transaction(self, connection, commands, raise_on_error):
        all_cmds = [MULTI]
        all_cmds.extend([args for args, _ in commands])
        all_cmds.append(EXEC)
        self._send(connection, connection.pack_commands(all_cmds), True)

        if self._parses_plainly() and \
                TRANSACTION_REPLY not in self.response_callbacks and \
                TRANSACTION_REPLY not in self.UNWATCH_COMMANDS:
            parse = connection.read_response
        else:
            parse = functools.partial(self.parse_response, connection,
                                      TRANSACTION_REPLY)
        # Every reply of the batch is read before an error reply is raised,
        # so the connection is left in step for the next user. A connection
        # error (a refusal such as LOADING too) stops at once: execute()
        # closes the connection.
        multi_error = None
        errors = []
        try:
            parse()
        except ResponseError as e:
            multi_error = e
        for i, command in enumerate(commands):
            try:
                parse()
            except ResponseError as e:
                self.annotate_exception(e, i + 1, command[0])
                errors.append((i, e))
        try:
            response = parse()
        except ResponseError as exec_error:
            if multi_error is not None:
                raise multi_error
            if not (errors and isinstance(exec_error, ExecAbortError)):
                raise
            # Nothing ran. As in 2.10.6, the refused command's own error is
            # raised (a ReadOnlyError stays one), not the EXECABORT.
            raise errors[0][1]
        finally:
            # EXEC ends every WATCH, whatever its outcome; its reply (or
            # error) was the last one, so the connection is in step
            self.watching = False
            self._replies_pending = False
        if multi_error is not None:
            raise multi_error
        if response is None:
            raise WatchError("Watched variable changed.")

        # only servers older than 2.6.5 run a transaction like this
        for i, e in errors:
            response.insert(i, e)
        if len(response) != len(commands):
            connection.disconnect()
            raise ResponseError("Wrong number of response items from "
                                "pipeline execution")
        # a connection-class error reply (LOADING) is raised whatever
        # raise_on_error, as 2.10.6's parsers raised it from inside EXEC's
        # reply; execute() then closes the connection
        for r in response:
            if isinstance(r, ConnectionError):
                raise r
        if raise_on_error:
            self.raise_first_error(commands, response)

        callbacks = self.response_callbacks
        data = []
        append = data.append
        for r, (args, options) in zip(response, commands):
            if not isinstance(r, Exception):
                callback = callbacks.get(args[0])
                if callback is not None:
                    r = callback(r, **options)
            append(r)
        return data

    def _execute_pipeline(self, connection, commands, raise_on_error):
        self._send(connection,
                   connection.pack_commands([args for args, _ in commands]),
                   False)
        if self._parses_plainly():
            response = self._read_plainly(connection, commands)
        else:
            parse = self.parse_response
            response = []
            for args, options in commands:
                try:
                    response.append(parse(connection, args[0], **options))
                except ResponseError as e:
                    response.append(e)
        self._replies_pending = False
        if raise_on_error:
            self.raise_first_error(commands, response)
        return response

    def _read_plainly(self, connection, commands):
        # What parse_response does per reply (read, callback, WATCH state),
        # inlined: this loop is most of a big pipeline's client time.
        read = connection.read_response
        callbacks = self.response_callbacks
        unwatch = self.UNWATCH_COMMANDS
        watch_state = set(unwatch) | set(('WATCH',))
        response = []
        append = response.append
        for args, options in commands:
            name = args[0]
            try:
                r = read()
                callback = callbacks.get(name)
                if callback is not None:
                    r = callback(r, **options)
            except ResponseError as e:
                r = e
            else:
                if name in watch_state:
                    self.watching = name not in unwatch
            append(r)
        return response

    def watch(self, *names: KeyT) -> Any:
        """WATCH ``names`` on the pipeline's connection and switch to
        immediate mode until multi()"""
        if self.explicit_transaction:
            raise RedisError('Cannot issue a WATCH after a MULTI')
        return self.execute_command('WATCH', *names)

    def unwatch(self) -> Any:
        "Forget every WATCH of this pipeline (True)"
        return self.watching and self.execute_command('UNWATCH') or True


# execute_command queues in place only when this is the method in use
_QUEUE = BasePipeline.pipeline_execute_command
