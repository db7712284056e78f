"""Lua scripting commands: EVAL, EVALSHA, SCRIPT ..."""


class ScriptingCommands(object):
    """Lua scripting commands: EVAL, EVALSHA, SCRIPT ..."""
