"""Commands on geospatial indexes: GEOADD, GEORADIUS, ..."""
from __future__ import annotations

from typing import Any, Optional

from redis.exceptions import DataError
from redis.typing import EncodableT, KeyT, Number, ResponseT

_UNITS = ('m', 'km', 'mi', 'ft')


def _geosearch_args(command, member, longitude, latitude, unit, radius,
                    width, height, sort, count, any):
    # FROMMEMBER|FROMLONLAT BYRADIUS|BYBOX [ASC|DESC] [COUNT n [ANY]]
    if (member is None) == (longitude is None or latitude is None):
        raise DataError('%s needs either member or longitude and latitude'
                        % command)
    if (radius is None) == (width is None or height is None):
        raise DataError('%s needs either radius or width and height'
                        % command)
    if unit not in _UNITS:
        raise DataError('%s invalid unit' % command)
    if member is not None:
        pieces = ['FROMMEMBER', member]
    else:
        pieces = ['FROMLONLAT', longitude, latitude]
    if radius is not None:
        pieces += ['BYRADIUS', radius, unit]
    else:
        pieces += ['BYBOX', width, height, unit]
    if sort is not None:
        if sort not in ('ASC', 'DESC'):
            raise DataError('%s invalid sort' % command)
        pieces.append(sort)
    if count is not None:
        pieces += ['COUNT', count]
        if any:
            pieces.append('ANY')
    elif any:
        raise DataError('%s any needs count' % command)
    return pieces


class GeoCommands(object):
    """Commands on geospatial indexes: GEOADD, GEORADIUS, ..."""

    def geoadd(self, name: KeyT, *values: Any, nx: bool = False,
               xx: bool = False, ch: bool = False) -> ResponseT:
        """Add places to the geospatial index ``name``; ``values`` repeat
        longitude, latitude, member, as separate arguments or as one list
        (today's redis-py form). Returns the number of new members.

        ``nx`` only adds new members, ``xx`` only updates existing ones,
        ``ch`` counts changed members too."""
        if len(values) == 1 and isinstance(values[0], (list, tuple)):
            values = tuple(values[0])
        if len(values) % 3 or not values:
            raise DataError("GEOADD requires places with lon, lat and name"
                            " values")
        if nx and xx:
            raise DataError("GEOADD allows either 'nx' or 'xx', not both")
        flags = [word for word, on in (('NX', nx), ('XX', xx), ('CH', ch))
                 if on]
        return self.execute_command('GEOADD', name, *(flags + list(values)))

    def geodist(self, name: KeyT, place1: EncodableT, place2: EncodableT,
                unit: Optional[str] = None) -> ResponseT:
        """The distance between ``place1`` and ``place2`` as a float (None if
        either is missing), in ``unit``: 'm' (default), 'km', 'mi' or 'ft'."""
        pieces = [name, place1, place2]
        if unit:
            if unit not in _UNITS:
                raise DataError("GEODIST invalid unit")
            pieces.append(unit)
        return self.execute_command('GEODIST', *pieces)

    def geohash(self, name: KeyT, *values: EncodableT) -> ResponseT:
        "The geohash strings of the members ``values`` of ``name``"
        return self.execute_command('GEOHASH', name, *values)

    def geopos(self, name: KeyT, *values: EncodableT) -> ResponseT:
        """The (longitude, latitude) of each member ``values`` of ``name``,
        None for a missing one"""
        return self.execute_command('GEOPOS', name, *values)

    def georadius(self, name: KeyT, longitude: Number, latitude: Number,
                  radius: Number, unit: Optional[str] = None,
                  withdist: bool = False, withcoord: bool = False,
                  withhash: bool = False, count: Optional[int] = None,
                  sort: Optional[str] = None, store: Optional[KeyT] = None,
                  store_dist: Optional[KeyT] = None,
                  any: bool = False) -> ResponseT:
        """Members of ``name`` within ``radius`` ``unit`` (default 'm') of
        the point ``longitude``, ``latitude``.

        ``withdist``, ``withhash`` and ``withcoord`` turn each result into a
        list of the member and, in that order, its distance (in ``unit``),
        its geohash integer and its (longitude, latitude). ``count`` limits the
        results, ``sort`` is 'ASC' or 'DESC' by distance. ``store`` saves
        the members with their geohash scores in a sorted set instead,
        ``store_dist`` with their distances; either returns the count.
        ``any`` (with ``count``) stops at the first ``count`` found.
        """
        return self._georadiusgeneric(
            'GEORADIUS', name, longitude, latitude, radius, unit=unit,
            withdist=withdist, withcoord=withcoord, withhash=withhash,
            count=count, sort=sort, store=store, store_dist=store_dist,
            any=any)

    def georadiusbymember(self, name: KeyT, member: EncodableT, radius: Number,
                          unit: Optional[str] = None, withdist: bool = False,
                          withcoord: bool = False, withhash: bool = False,
                          count: Optional[int] = None,
                          sort: Optional[str] = None,
                          store: Optional[KeyT] = None,
                          store_dist: Optional[KeyT] = None,
                          any: bool = False) -> ResponseT:
        """Like georadius, centred on the place of ``member`` of ``name``."""
        return self._georadiusgeneric(
            'GEORADIUSBYMEMBER', name, member, radius, unit=unit,
            withdist=withdist, withcoord=withcoord, withhash=withhash,
            count=count, sort=sort, store=store, store_dist=store_dist,
            any=any)

    def georadius_ro(self, name: KeyT, longitude: Number, latitude: Number,
                     radius: Number, unit: Optional[str] = None,
                     withdist: bool = False, withcoord: bool = False,
                     withhash: bool = False, count: Optional[int] = None,
                     sort: Optional[str] = None,
                     any: bool = False) -> ResponseT:
        """GEORADIUS_RO: georadius without store, which replicas serve"""
        return self._georadiusgeneric(
            'GEORADIUS_RO', name, longitude, latitude, radius, unit=unit,
            withdist=withdist, withcoord=withcoord, withhash=withhash,
            count=count, sort=sort, store=None, store_dist=None, any=any)

    def georadiusbymember_ro(self, name: KeyT, member: EncodableT,
                             radius: Number, unit: Optional[str] = None,
                             withdist: bool = False, withcoord: bool = False,
                             withhash: bool = False,
                             count: Optional[int] = None,
                             sort: Optional[str] = None,
                             any: bool = False) -> ResponseT:
        """GEORADIUSBYMEMBER_RO: georadiusbymember without store"""
        return self._georadiusgeneric(
            'GEORADIUSBYMEMBER_RO', name, member, radius, unit=unit,
            withdist=withdist, withcoord=withcoord, withhash=withhash,
            count=count, sort=sort, store=None, store_dist=None, any=any)

    def geosearch(self, name: KeyT, member: Optional[EncodableT] = None,
                  longitude: Optional[Number] = None,
                  latitude: Optional[Number] = None, unit: str = 'm',
                  radius: Optional[Number] = None,
                  width: Optional[Number] = None,
                  height: Optional[Number] = None, sort: Optional[str] = None,
                  count: Optional[int] = None, any: bool = False,
                  withcoord: bool = False, withdist: bool = False,
                  withhash: bool = False) -> ResponseT:
        """Members of ``name`` within a circle (``radius``) or a box
        (``width`` x ``height``) in ``unit``, centred on ``member`` or on
        ``longitude``, ``latitude``.

        ``sort`` is 'ASC' or 'DESC' by distance, ``count`` limits the
        results (``any``: the first found); withdist/withhash/withcoord as
        for georadius, but the names are as read (bytes or str)."""
        pieces = _geosearch_args('GEOSEARCH', member, longitude, latitude,
                                 unit, radius, width, height, sort, count,
                                 any)
        for flag, on in (('WITHCOORD', withcoord), ('WITHDIST', withdist),
                         ('WITHHASH', withhash)):
            if on:
                pieces.append(flag)
        return self.execute_command('GEOSEARCH', name, *pieces,
                                    withcoord=withcoord, withdist=withdist,
                                    withhash=withhash)

    def geosearchstore(self, dest: KeyT, name: KeyT,
                       member: Optional[EncodableT] = None,
                       longitude: Optional[Number] = None,
                       latitude: Optional[Number] = None, unit: str = 'm',
                       radius: Optional[Number] = None,
                       width: Optional[Number] = None,
                       height: Optional[Number] = None,
                       sort: Optional[str] = None, count: Optional[int] = None,
                       any: bool = False,
                       storedist: bool = False) -> ResponseT:
        """Store in ``dest`` what geosearch finds, with geohash scores, or
        with the distances if ``storedist``; the number stored"""
        pieces = _geosearch_args('GEOSEARCHSTORE', member, longitude,
                                 latitude, unit, radius, width, height, sort,
                                 count, any)
        if storedist:
            pieces.append('STOREDIST')
        return self.execute_command('GEOSEARCHSTORE', dest, name, *pieces)

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
            if kwargs.get('any'):
                pieces.append('ANY')
        elif kwargs.get('any'):
            raise DataError("GEORADIUS any needs count")
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
