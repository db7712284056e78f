"""Pipelines: buffered commands sent in one round trip, optionally as a
MULTI/EXEC transaction.

``BasePipeline`` is mixed in front of a client class (``StrictPipeline``,
``Pipeline`` in ``redis.client``), so every command method of the client
queues instead of running: ``execute_command`` is the only thing that
changes.
"""
import os

from redis.exceptions import (
    ConnectionError, ExecAbortError, RedisError, ResponseError, TimeoutError,
    WatchError,
)
from redis.utils import nativestr

WATCH_LOST_MESSAGE = ("A ConnectionError occured on while watching one or "
                      "more keys")
MULTI = ('MULTI',)
EXEC = ('EXEC',)


def _safe_str(value):
    "An argument or message as text, whatever it was sent as"
    if isinstance(value, bytes):
        return value.decode('utf-8', 'replace')
    return str(value)


def _check_reply_error(conn, error):
    """Re-raise ``error`` unless it stands for an error reply.

    Most error replies are ResponseErrors, but a few map to
    AuthenticationError or ConnectionError (NOAUTH, max clients). A real
    connection failure always disconnects, so a live socket tells them
    apart.
    """
    if getattr(conn, '_sock', None) is None:
        raise error


class BasePipeline(object):
    """Queues commands and sends them together on execute().

    By default the batch runs as one MULTI/EXEC transaction: no other
    client's command runs in the middle of it. With ``transaction=False``
    the batch is only pipelined (one round trip, no atomicity).

    A failing command does not stop the others: execute() raises the first
    error after all replies are read, or, with ``raise_on_error=False``,
    returns the exception objects (usually ResponseError) among the
    results.

    After watch(), commands run at once (to read the values a transaction
    depends on) until multi() starts buffering again; execute() then
    raises WatchError when a watched key changed in the meantime. The
    pipeline keeps one connection from watch() until reset(), which
    execute() and the ``with`` block call.
    """

    # the server forgets every WATCH after these
    UNWATCH_COMMANDS = set(('DISCARD', 'EXEC', 'UNWATCH'))

    def __init__(self, connection_pool, response_callbacks, transaction,
                 shard_hint):
        self.connection_pool = connection_pool
        self.connection = None
        self.response_callbacks = response_callbacks
        self.transaction = transaction
        self.shard_hint = shard_hint
        self._use_lua_lock = None
        self.watching = False
        self._replies_pending = False
        self.reset()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.reset()

    def __del__(self):
        # a pipeline dropped mid-WATCH must not keep its connection (one
        # that holds none has nothing to clean up)
        if getattr(self, 'connection', None) is None:
            return
        try:
            self.reset()
        except Exception:
            pass

    def __len__(self):
        return len(self.command_stack)

    def reset(self):
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
            elif conn is not None and getattr(conn, 'pid', None) != \
                    os.getpid():
                # inherited across fork(): the socket is the parent's
                pass
            elif self.watching and conn is not None and \
                    getattr(conn, '_sock', None) is not None:
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

    def multi(self):
        """After watch(): buffer the commands that follow again, to run
        as one transaction on execute()."""
        if self.explicit_transaction:
            raise RedisError('Cannot issue nested calls to MULTI')
        if self.command_stack:
            raise RedisError('Commands without an initial WATCH have already '
                             'been issued')
        self.explicit_transaction = True

    def execute_command(self, *args, **kwargs):
        "Queue the command, or run it now between watch() and multi()"
        if (self.watching or args[0] == 'WATCH') and \
                not self.explicit_transaction:
            return self.immediate_execute_command(*args, **kwargs)
        self.command_stack.append((args, kwargs))
        return self

    def pipeline_execute_command(self, *args, **options):
        """Add a command to the batch and return the pipeline, so calls
        chain: ``pipe.set('a', 1).incr('b').execute()``."""
        self.command_stack.append((args, options))
        return self

    def _watch_lost(self):
        self.reset()
        return WatchError(WATCH_LOST_MESSAGE)

    def immediate_execute_command(self, *args, **options):
        """Run a command now on the pipeline's own connection, which it
        keeps (with its WATCHes) until reset().

        The retry rules are the client's: the command is sent again once
        only when sending it over an already open connection failed (the
        server never got it whole), or after a read timeout with
        ``retry_on_timeout``. While keys are watched, losing the connection
        loses the WATCH too, so that raises WatchError instead.
        """
        command_name = args[0]
        conn = self.connection
        if conn is None:
            conn = self.connection_pool.get_connection(command_name,
                                                       self.shard_hint)
            self.connection = conn
        was_connected = getattr(conn, '_sock', None) is not None
        try:
            conn.send_command(*args)
        except (ConnectionError, TimeoutError) as e:
            conn.disconnect()
            if self.watching:
                raise self._watch_lost()
            if isinstance(e, TimeoutError) or not was_connected:
                raise
            conn.send_command(*args)
        try:
            return self.parse_response(conn, command_name, **options)
        except (ConnectionError, TimeoutError) as e:
            conn.disconnect()
            if self.watching:
                raise self._watch_lost()
            if not (isinstance(e, TimeoutError) and
                    getattr(conn, 'retry_on_timeout', False)):
                raise
            conn.send_command(*args)
            return self.parse_response(conn, command_name, **options)

    def parse_response(self, connection, command_name, **options):
        result = super(BasePipeline, self).parse_response(
            connection, command_name, **options)
        if command_name in self.UNWATCH_COMMANDS:
            self.watching = False
        elif command_name == 'WATCH':
            self.watching = True
        return result

    def annotate_exception(self, exception, number, command):
        """Prefix the error's message with the failing command and its
        1-based position in the pipeline."""
        cmd = ' '.join(map(_safe_str, command))
        original = exception.args[0] if exception.args else ''
        msg = 'Command # %d (%s) of pipeline caused error: %s' % (
            number, cmd, _safe_str(original))
        exception.args = (msg,) + tuple(exception.args[1:])

    def raise_first_error(self, commands, response):
        for i, r in enumerate(response):
            if isinstance(r, RedisError):
                self.annotate_exception(r, i + 1, commands[i][0])
                raise r

    def load_scripts(self):
        """Make sure the server knows every Script queued in this pipeline:
        one SCRIPT EXISTS for all of them, a SCRIPT LOAD for each missing
        one, run now on the pipeline's connection."""
        scripts = list(self.scripts)
        immediate = self.immediate_execute_command
        exists = immediate('SCRIPT EXISTS', *[s.sha for s in scripts])
        for script, exist in zip(scripts, exists):
            if not exist:
                script.sha = nativestr(immediate('SCRIPT LOAD',
                                                 script.script))

    def _send(self, conn, packed, transaction):
        if self.watching:
            # A connection the server closed (restart, CLIENT KILL, idle
            # timeout) has lost its WATCH: say so before sending anything.
            check = getattr(conn, 'is_idle_and_healthy', None)
            if getattr(conn, '_sock', None) is None or \
                    (check is not None and not check()):
                conn.disconnect()
                raise WatchError(WATCH_LOST_MESSAGE)
        else:
            # Connecting separately from sending tells "nothing left" apart
            # from "some of it may have left": only the first is retried.
            try:
                conn.connect()
            except (ConnectionError, TimeoutError):
                conn.disconnect()
                conn.connect()
        self._replies_pending = True
        try:
            conn.send_packed_command(packed)
        except (ConnectionError, TimeoutError):
            conn.disconnect()
            if self.watching:
                raise WatchError(WATCH_LOST_MESSAGE)
            if not transaction:
                # a part of the batch may have reached the server and run
                raise
            # A transaction runs only on a whole EXEC, and EXEC is the last
            # thing sent; the server drops the rest with the connection.
            conn.send_packed_command(packed)

    def execute(self, raise_on_error=True):
        """Execute all the buffered commands in one round trip and return
        their results, in order, through the client's response callbacks.

        With ``raise_on_error`` the first failing command's error is raised
        (after every reply was read), its message prefixed with
        ``Command # N (CMD ARGS) of pipeline caused error:``; otherwise
        errors are returned in place of results. In a transaction, a command
        the server rejects while queuing aborts it: nothing is applied and
        that command's error is raised (whatever ``raise_on_error``); a
        changed watched key raises WatchError.

        Connection errors: the batch is sent again once, on a fresh
        connection, only when it cannot have run: connecting failed (nothing
        was sent), or sending a transaction failed (its EXEC never arrived
        whole, so the server ran none of it). A non-transactional batch
        whose send failed, and any batch whose replies could not be read,
        raise the ConnectionError or TimeoutError: some or all of it may
        have run, and only the caller can decide whether to run it again.
        While keys are watched, a connection found closed before sending,
        or a failed send, raises WatchError (the server forgot the WATCH,
        nothing ran); a failure after the batch was sent still raises the
        ConnectionError, since EXEC may have run.

        The pipeline is reset afterwards, whatever happens.
        """
        stack = self.command_stack
        if not stack:
            self.reset()
            return []
        try:
            if self.scripts:
                self.load_scripts()
            conn = self.connection
            if conn is None:
                conn = self.connection_pool.get_connection('MULTI',
                                                           self.shard_hint)
                self.connection = conn
            if self.transaction or self.explicit_transaction:
                return self._execute_transaction(conn, stack, raise_on_error)
            return self._execute_pipeline(conn, stack, raise_on_error)
        finally:
            self.reset()

    def _execute_transaction(self, conn, stack, raise_on_error):
        commands = [MULTI]
        commands.extend([args for args, _ in stack])
        commands.append(EXEC)
        self._send(conn, conn.pack_commands(commands), True)

        # Every reply is read before anything is raised, so the connection
        # is left in step for the next user.
        read = conn.read_response
        multi_error = None
        errors = []
        try:
            read()
        except RedisError as e:
            _check_reply_error(conn, e)
            multi_error = e
        for i in range(len(stack)):
            try:
                read()
            except ResponseError as e:
                errors.append((i, e))
            except RedisError as e:
                _check_reply_error(conn, e)
                errors.append((i, e))
        try:
            response = read()
        except RedisError as exec_error:
            _check_reply_error(conn, exec_error)
            if multi_error is not None:
                raise multi_error
            if not (errors and isinstance(exec_error, ExecAbortError)):
                raise
            # Nothing ran. As in 2.10.6, the refused command's own error is
            # raised (a ReadOnlyError stays one), not the EXECABORT.
            i, first = errors[0]
            self.annotate_exception(first, i + 1, stack[i][0])
            raise first
        finally:
            # EXEC ends every WATCH, whatever its outcome; its reply (or
            # error) was the last one, so the connection is in step
            self.watching = False
            self._replies_pending = False
        if multi_error is not None:
            raise multi_error
        if response is None:
            raise WatchError("Watched variable changed.")

        for i, e in errors:
            # only servers older than 2.6.5 run a transaction like this
            self.annotate_exception(e, i + 1, stack[i][0])
            response.insert(i, e)
        if len(response) != len(stack):
            conn.disconnect()
            raise ResponseError("Wrong number of response items from "
                                "pipeline execution")
        if raise_on_error:
            self.raise_first_error(stack, response)

        callbacks = self.response_callbacks
        data = []
        append = data.append
        for r, (args, options) in zip(response, stack):
            if not isinstance(r, Exception):
                callback = callbacks.get(args[0])
                if callback is not None:
                    r = callback(r, **options)
            append(r)
        return data

    def _execute_pipeline(self, conn, stack, raise_on_error):
        self._send(conn, conn.pack_commands([args for args, _ in stack]),
                   False)
        read = conn.read_response
        callbacks = self.response_callbacks
        response = []
        append = response.append
        for args, options in stack:
            try:
                r = read()
            except ResponseError as e:
                append(e)
                continue
            except RedisError as e:
                _check_reply_error(conn, e)
                append(e)
                continue
            callback = callbacks.get(args[0])
            if callback is not None:
                r = callback(r, **options)
            append(r)
        self._replies_pending = False
        if raise_on_error:
            self.raise_first_error(stack, response)
        return response

    def watch(self, *names):
        """WATCH ``names`` on the pipeline's connection and switch to
        immediate mode until multi()"""
        if self.explicit_transaction:
            raise RedisError('Cannot issue a WATCH after a MULTI')
        return self.execute_command('WATCH', *names)

    def unwatch(self):
        "Forget every WATCH of this pipeline (True)"
        return self.watching and self.execute_command('UNWATCH') or True
