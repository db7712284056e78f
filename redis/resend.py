"""The one rule for sending a failed command again: **a command is re-sent
only when it cannot have run.**

Every path that sends commands (single commands, pipelines, transactions,
pubsub, the cluster client) asks ``may_resend()`` after a failure instead of
deciding for itself, so "could this have run twice?" has one answer.

What proves that a command cannot have run depends on where it failed:

``CONNECT``
    Opening the connection failed: nothing was sent. Safe, but a fresh
    connection that cannot be opened fails the same way at once, so it is
    not retried (that would only double the wait on a dead server).
``SEND``
    Writing to a connection that was open before the command failed: the
    server closed it meanwhile (restart, idle timeout, CLIENT KILL), and it
    never got the command whole. A single command, or a MULTI ... EXEC
    batch (which runs only once its final EXEC arrives), cannot have run.
    A plain pipeline may have had its first commands run: not re-sent.
``READ``
    Reading the reply failed: the command arrived and may have run, so it
    is not re-sent; except for the replies that say it did not run
    (``LOADING``; in a cluster ``MOVED``, ``ASK``, ``TRYAGAIN``,
    ``CLUSTERDOWN``, ``MASTERDOWN``), and for a read timeout on a
    connection made with ``retry_on_timeout=True``, 2.10.6's opt-in by
    which the caller accepts that a command may run twice.

A command that does the same when run twice (``idempotent``: pubsub's
SUBSCRIBE and friends) may be sent again after any lost connection.

A failed connect is worth retrying when the command would go ``elsewhere``
(the cluster client, to the slot's owner after a topology refresh): nothing
was sent, and the other server may well answer.

A NOT_RUN reply read in a batch speaks for its own command only, so a
batch is not re-sent for it.

While keys are WATCHed nothing is re-sent: the WATCH is lost with the
connection, and the caller raises WatchError.

The rule decides only whether sending again is allowed; how (on which
connection or node) stays with the caller.
"""
from redis.exceptions import (
    AskError, BusyLoadingError, ClusterDownError, ConnectionError,
    TimeoutError, TryAgainError,
)

CONNECT = 'connect'
SEND = 'send'
READ = 'read'

# Error replies by which the server says it did not run the command. ASK
# covers MOVED (its subclass), CLUSTERDOWN covers MASTERDOWN.
NOT_RUN_REPLIES = (BusyLoadingError, AskError, TryAgainError,
                   ClusterDownError)


def proves_not_run(error):
    "Whether ``error`` is a reply by which the server refused to run it"
    return isinstance(error, NOT_RUN_REPLIES)


def may_resend(error, stage, connection=None, batch=False,
               transaction=False, watching=False, idempotent=False,
               elsewhere=False):
    """Whether what failed with ``error`` at ``stage`` (CONNECT, SEND or
    READ) may be sent again: only when it cannot have run (see the module
    docstring). ``connection`` is the one it failed on (its
    ``retry_on_timeout`` is read); ``batch`` for several commands sent
    together, ``transaction`` when they are a MULTI ... EXEC;
    ``watching`` when keys are WATCHed on the connection; ``idempotent``
    for commands that may run twice; ``elsewhere`` when it would be sent
    to another server than the one that failed."""
    if watching:
        return False
    if stage == CONNECT and elsewhere:
        return True
    if isinstance(error, TimeoutError):
        if getattr(connection, 'retry_on_timeout', False):
            return stage != CONNECT
    elif idempotent and isinstance(error, ConnectionError):
        return True
    if stage == SEND:
        return not batch or transaction
    if stage == READ:
        return not batch and isinstance(error, NOT_RUN_REPLIES)
    return False


__all__ = ['CONNECT', 'SEND', 'READ', 'NOT_RUN_REPLIES', 'may_resend',
           'proves_not_run']
