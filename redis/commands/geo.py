"""Commands on geospatial indexes: GEOADD, GEORADIUS, ..."""
from redis.exceptions import DataError

_UNITS = ('m', 'km', 'mi', 'ft')


class GeoCommands(object):
    """Commands on geospatial indexes: GEOADD, GEORADIUS, ..."""

    def geoadd(self, name, *values):
        """Add places to the geospatial index ``name``; ``values`` repeat
        longitude, latitude, member. Returns the number of new members."""
        if len(values) % 3:
            raise DataError("GEOADD requires places with lon, lat and name"
                            " values")
        return self.execute_command('GEOADD', name, *values)

    def geodist(self, name, place1, place2, unit=None):
        """The distance between ``place1`` and ``place2`` as a float (None if
        either is missing), in ``unit``: 'm' (default), 'km', 'mi' or 'ft'."""
        pieces = [name, place1, place2]
        if unit:
            if unit not in _UNITS:
                raise DataError("GEODIST invalid unit")
            pieces.append(unit)
        return self.execute_command('GEODIST', *pieces)

    def geohash(self, name, *values):
        "The geohash strings of the members ``values`` of ``name``"
        return self.execute_command('GEOHASH', name, *values)

    def geopos(self, name, *values):
        """The (longitude, latitude) of each member ``values`` of ``name``,
        None for a missing one"""
        return self.execute_command('GEOPOS', name, *values)

    def georadius(self, name, longitude, latitude, radius, unit=None,
                  withdist=False, withcoord=False, withhash=False, count=None,
                  sort=None, store=None, store_dist=None):
        """Members of ``name`` within ``radius`` ``unit`` (default 'm') of
        the point ``longitude``, ``latitude``.

        ``withdist``, ``withhash`` and ``withcoord`` turn each result into a
        list of the member and, in that order, its distance (in ``unit``),
        its geohash integer and its (longitude, latitude). ``count`` limits the
        results, ``sort`` is 'ASC' or 'DESC' by distance. ``store`` saves
        the members with their geohash scores in a sorted set instead,
        ``store_dist`` with their distances; either returns the count.
        """
        return self._georadiusgeneric(
            'GEORADIUS', name, longitude, latitude, radius, unit=unit,
            withdist=withdist, withcoord=withcoord, withhash=withhash,
            count=count, sort=sort, store=store, store_dist=store_dist)

    def georadiusbymember(self, name, member, radius, unit=None,
                          withdist=False, withcoord=False, withhash=False,
                          count=None, sort=None, store=None, store_dist=None):
        """Like georadius, centred on the place of ``member`` of ``name``."""
        return self._georadiusgeneric(
            'GEORADIUSBYMEMBER', name, member, radius, unit=unit,
            withdist=withdist, withcoord=withcoord, withhash=withhash,
            count=count, sort=sort, store=store, store_dist=store_dist)

    def _georadiusgeneric(self, command, *args, **kwargs):
        """Shared body of GEORADIUS and GEORADIUSBYMEMBER; ``kwargs`` also go
        to the reply callback, which shapes results by the with* flags."""
        pieces = list(args)
        unit = kwargs['unit']
        if unit and unit not in _UNITS:
            raise DataError("GEORADIUS invalid unit")
        pieces.append(unit or 'm')
        for flag in ('withdist', 'withcoord', 'withhash'):
            if kwargs[flag]:
                pieces.append(flag.upper())
        if kwargs['count']:
            pieces.extend(['COUNT', kwargs['count']])
        sort = kwargs['sort']
        if sort and sort not in ('ASC', 'DESC'):
            raise DataError("GEORADIUS invalid sort")
        if sort:
            pieces.append(sort)
        if kwargs['store'] and kwargs['store_dist']:
            raise DataError("GEORADIUS store and store_dist cant be set"
                            " together")
        if kwargs['store']:
            pieces.extend(['STORE', kwargs['store']])
        if kwargs['store_dist']:
            pieces.extend(['STOREDIST', kwargs['store_dist']])
        return self.execute_command(command, *pieces, **kwargs)
