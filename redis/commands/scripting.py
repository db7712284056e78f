"""Lua scripting: EVAL, EVALSHA, SCRIPT ..., and functions: FUNCTION ...,
FCALL"""
from __future__ import annotations

from typing import Optional, Union

from redis.exceptions import DataError
from redis.typing import EncodableT, ResponseT

_FLUSH_MODES = ('SYNC', 'ASYNC')
_RESTORE_POLICIES = ('APPEND', 'REPLACE', 'FLUSH')


def _checked(value, allowed, what):
    # the server takes these words in any case
    if str(value).upper() not in allowed:
        raise DataError('%s must be one of %r' % (what, allowed))
    return value


class ScriptingCommands(object):
    """Lua scripting: EVAL, EVALSHA, SCRIPT ..., and functions: FUNCTION
    ..., FCALL"""

    def eval(self, script: Union[str, bytes], numkeys: int,
             *keys_and_args: EncodableT) -> ResponseT:
        """Run the Lua ``script``; the first ``numkeys`` of ``keys_and_args``
        are its KEYS, the rest its ARGV."""
        return self.execute_command('EVAL', script, numkeys, *keys_and_args)

    def eval_ro(self, script: Union[str, bytes], numkeys: int,
                *keys_and_args: EncodableT) -> ResponseT:
        """eval() of a script that only reads: refused if it writes, and
        run by a replica as well"""
        return self.execute_command('EVAL_RO', script, numkeys,
                                    *keys_and_args)

    def evalsha(self, sha: str, numkeys: int,
                *keys_and_args: EncodableT) -> ResponseT:
        """Run the cached script with SHA1 ``sha``; arguments as for eval.
        NoScriptError if the server does not have it."""
        return self.execute_command('EVALSHA', sha, numkeys, *keys_and_args)

    def evalsha_ro(self, sha: str, numkeys: int,
                   *keys_and_args: EncodableT) -> ResponseT:
        "evalsha() of a script that only reads (see eval_ro)"
        return self.execute_command('EVALSHA_RO', sha, numkeys,
                                    *keys_and_args)

    def fcall(self, function: str, numkeys: int,
              *keys_and_args: EncodableT) -> ResponseT:
        """Run the loaded ``function``; the first ``numkeys`` of
        ``keys_and_args`` are its keys, the rest its arguments"""
        return self.execute_command('FCALL', function, numkeys,
                                    *keys_and_args)

    def fcall_ro(self, function: str, numkeys: int,
                 *keys_and_args: EncodableT) -> ResponseT:
        """fcall() of a function declared no-writes (a replica runs it
        too)"""
        return self.execute_command('FCALL_RO', function, numkeys,
                                    *keys_and_args)

    def function_delete(self, library: str) -> ResponseT:
        "Delete the library ``library`` and its functions; True"
        return self.execute_command('FUNCTION DELETE', library)

    def function_dump(self) -> ResponseT:
        """Every library, serialized for function_restore() (bytes: needs a
        client without decode_responses)"""
        return self.execute_command('FUNCTION DUMP')

    def function_flush(self, mode: str = 'SYNC') -> ResponseT:
        "Delete every library, 'SYNC' or 'ASYNC'; True"
        _checked(mode, _FLUSH_MODES, 'FUNCTION FLUSH mode')
        return self.execute_command('FUNCTION FLUSH', mode)

    def function_kill(self) -> ResponseT:
        "Stop the running function, if it has not written anything"
        return self.execute_command('FUNCTION KILL')

    def function_list(self, library: str = '*',
                      withcode: bool = False) -> ResponseT:
        """The libraries whose names match ``library`` (a glob), with
        their functions (and their code with ``withcode``), as the server
        lists them: [['library_name', name, 'engine', ..., 'functions',
        [...]], ...]"""
        args = ['LIBRARYNAME', library]
        if withcode:
            args.append('WITHCODE')
        return self.execute_command('FUNCTION LIST', *args)

    def function_load(self, code: str, replace: bool = False) -> ResponseT:
        """Load the library whose source is ``code`` (starting with
        '#!lua name=...'); with ``replace`` one of that name is replaced.
        Its name."""
        args = ['REPLACE', code] if replace else [code]
        return self.execute_command('FUNCTION LOAD', *args)

    def function_restore(self, payload: EncodableT,
                         policy: str = 'APPEND') -> ResponseT:
        """Load the libraries of a function_dump() ``payload``: 'APPEND'
        (refused if a name is taken), 'REPLACE' or 'FLUSH' (the others go
        first); True"""
        _checked(policy, _RESTORE_POLICIES, 'FUNCTION RESTORE policy')
        return self.execute_command('FUNCTION RESTORE', payload, policy)

    def function_stats(self) -> ResponseT:
        """The running function (or None) and the engines, as the server
        lists them"""
        return self.execute_command('FUNCTION STATS')

    def script_exists(self, *args: str) -> ResponseT:
        "A list of bools: is each SHA1 in ``args`` in the script cache"
        return self.execute_command('SCRIPT EXISTS', *args)

    def script_flush(self, sync_type: Optional[str] = None) -> ResponseT:
        """Empty the script cache; ``sync_type`` 'SYNC' or 'ASYNC' says
        how, else the server's default (SYNC) applies"""
        if sync_type is None:
            return self.execute_command('SCRIPT FLUSH')
        _checked(sync_type, _FLUSH_MODES, 'SCRIPT FLUSH sync_type')
        return self.execute_command('SCRIPT FLUSH', sync_type)

    def script_kill(self) -> ResponseT:
        "Stop the running script, if it has not written anything"
        return self.execute_command('SCRIPT KILL')

    def script_load(self, script: Union[str, bytes]) -> ResponseT:
        "Cache the Lua ``script`` without running it; its SHA1"
        return self.execute_command('SCRIPT LOAD', script)
