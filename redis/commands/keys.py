"""Commands on keys of any type: DEL, EXISTS, EXPIRE, RENAME, SORT, ..."""


class KeyCommands(object):
    """Commands on keys of any type: DEL, EXISTS, EXPIRE, RENAME, SORT, ..."""

    def delete(self, *names):
        "Delete one or more keys specified by ``names``"
        return self.execute_command('DEL', *names)

    def __delitem__(self, name):
        self.delete(name)

    def exists(self, *names):
        "Returns the number of ``names`` that exist"
        return self.execute_command('EXISTS', *names)
    __contains__ = exists
