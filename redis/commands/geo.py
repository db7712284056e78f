"""Commands on geospatial indexes: GEOADD, GEORADIUS, ..."""


class GeoCommands(object):
    """Commands on geospatial indexes: GEOADD, GEORADIUS, ..."""
