"""The process id, for telling whether we run in a forked child.

A connection or pool remembers the pid of the process that made it; an
object whose pid differs from current_pid() was inherited across fork()
and its sockets (and any lock a parent thread held at that moment) belong
to the parent. current_pid() is read on every command, so it is a plain
read of a value refreshed in the child by an at-fork hook instead of a
system call.
"""
import os

# This process's id, kept current in a forked child by the at-fork hook
# below. The hot paths read ``forksafe.pid`` (an attribute read costs less
# than the call of current_pid()); everything else calls current_pid().
pid = os.getpid()


def _refresh():
    global pid
    pid = os.getpid()


if hasattr(os, 'register_at_fork'):
    os.register_at_fork(after_in_child=_refresh)

    def current_pid():
        "os.getpid(), without a system call"
        return pid
else:  # pragma: no cover (every POSIX Python 3.7+ has register_at_fork)
    current_pid = os.getpid


def inherited(owner_pid):
    """Whether something made by process ``owner_pid`` was inherited by
    this process across fork()."""
    return owner_pid != current_pid()


__all__ = ['current_pid', 'inherited', 'pid']
