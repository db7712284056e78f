"""Commands on sets: SADD, SMEMBERS, SINTER, ..."""


class SetCommands(object):
    """Commands on sets: SADD, SMEMBERS, SINTER, ..."""
