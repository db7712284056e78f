"""Commands on string values: GET, SET, INCR, APPEND, bit operations, ..."""
import datetime


class StringCommands(object):
    """Commands on string values: GET, SET, INCR, APPEND, bit operations, ..."""

    def get(self, name):
        "Return the value at key ``name``, or None if the key doesn't exist"
        return self.execute_command('GET', name)

    def __getitem__(self, name):
        """Return the value at key ``name``, raises a KeyError if the key
        doesn't exist."""
        value = self.get(name)
        if value is not None:
            return value
        raise KeyError(name)

    def set(self, name, value, ex=None, px=None, nx=False, xx=False):
        """Set the value at key ``name`` to ``value``: ``ex``/``px`` expire
        it in seconds/milliseconds (int or timedelta), ``nx`` only if it does
        not exist, ``xx`` only if it already exists."""
        pieces = [name, value]
        if ex is not None:
            pieces.append('EX')
            if isinstance(ex, datetime.timedelta):
                ex = ex.seconds + ex.days * 24 * 3600
            pieces.append(ex)
        if px is not None:
            pieces.append('PX')
            if isinstance(px, datetime.timedelta):
                ms = int(px.microseconds / 1000)
                px = (px.seconds + px.days * 24 * 3600) * 1000 + ms
            pieces.append(px)
        if nx:
            pieces.append('NX')
        if xx:
            pieces.append('XX')
        return self.execute_command('SET', *pieces)

    def __setitem__(self, name, value):
        self.set(name, value)

    def incr(self, name, amount=1):
        """Increments the value of ``name`` by ``amount``; a missing key
        starts at 0."""
        return self.execute_command('INCRBY', name, amount)
