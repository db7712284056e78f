"""Run a command in a network namespace of its own, with redis-servers the
harness starts there.

Libraries of the 2.10 era hard-code localhost:6379 in their test suites.
Inside a fresh namespace that port is provably free and the machine's own
server is out of reach, so their tests run unchanged and can never flush a
server they do not own.

As a script (what ``wrap_python`` arranges, already inside the namespace):
``isolated.py [--port N ...] -- COMMAND...`` brings the loopback up, starts
one harness server per port, runs COMMAND and exits with its code.
"""
import fcntl
import os
import shutil
import socket
import stat
import struct
import subprocess
import sys

# from <linux/sockios.h> and <net/if.h>
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1


class IsolationError(Exception):
    "No network namespace can be made here"


def unshare_command():
    """The unshare invocation that gives this user a new network namespace
    (root needs no user namespace for it)."""
    unshare = shutil.which('unshare')
    if unshare is None:
        raise IsolationError('unshare not found (apt-get install util-linux)')
    command = [unshare, '--net']
    if os.geteuid() != 0:
        command.append('--map-root-user')
    return command


def check_isolation():
    "IsolationError with the reason when no namespace can be made here"
    command = unshare_command() + [sys.executable, '-c', 'pass']
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise IsolationError('%s failed: %s' % (' '.join(command),
                                                result.stderr.strip()))


def wrap_python(python, directory, ports=(6379,)):
    """An executable in `directory` that runs `python` with the arguments it
    is given inside a new network namespace where a harness redis-server
    listens on 127.0.0.1 at each of `ports`."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, 'python-isolated')
    command = unshare_command() + [sys.executable, os.path.abspath(__file__)]
    for port in ports:
        command += ['--port', str(port)]
    command += ['--', python]
    with open(path, 'w') as f:
        f.write('#!/bin/sh\nexec %s "$@"\n'
                % ' '.join(_shell_quote(arg) for arg in command))
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    return path


def _shell_quote(arg):
    return "'%s'" % arg.replace("'", "'\\''")


def loopback_up():
    "Bring up 'lo' (a new namespace starts with it down)"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack('16sh', b'lo', 0)
        flags = struct.unpack('16sh', fcntl.ioctl(sock, SIOCGIFFLAGS,
                                                  request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS,
                    struct.pack('16sh', b'lo', flags | IFF_UP))


def _parse(argv):
    ports = []
    while argv and argv[0] != '--':
        if argv[0] != '--port' or len(argv) < 2:
            raise SystemExit('usage: isolated.py [--port N ...] -- COMMAND...')
        ports.append(int(argv[1]))
        argv = argv[2:]
    if not argv[1:]:
        raise SystemExit('usage: isolated.py [--port N ...] -- COMMAND...')
    return ports, argv[1:]


def main(argv):
    ports, command = _parse(argv)
    loopback_up()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import servers
    started = []
    try:
        for port in ports:
            started.append(servers.RedisServer(port=port).start())
        return subprocess.call(command)
    finally:
        for server in started:
            server.stop()


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
