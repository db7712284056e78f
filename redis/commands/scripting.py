"""Lua scripting commands: EVAL, EVALSHA, SCRIPT ..."""


class ScriptingCommands(object):
    """Lua scripting commands: EVAL, EVALSHA, SCRIPT ..."""

    def eval(self, script, numkeys, *keys_and_args):
        """Run the Lua ``script``; the first ``numkeys`` of ``keys_and_args``
        are its KEYS, the rest its ARGV."""
        return self.execute_command('EVAL', script, numkeys, *keys_and_args)

    def evalsha(self, sha, numkeys, *keys_and_args):
        """Run the cached script with SHA1 ``sha``; arguments as for eval.
        NoScriptError if the server does not have it."""
        return self.execute_command('EVALSHA', sha, numkeys, *keys_and_args)

    def script_exists(self, *args):
        "A list of bools: is each SHA1 in ``args`` in the script cache"
        return self.execute_command('SCRIPT EXISTS', *args)

    def script_flush(self):
        "Empty the script cache"
        return self.execute_command('SCRIPT FLUSH')

    def script_kill(self):
        "Stop the running script, if it has not written anything"
        return self.execute_command('SCRIPT KILL')

    def script_load(self, script):
        "Cache the Lua ``script`` without running it; its SHA1"
        return self.execute_command('SCRIPT LOAD', script)
