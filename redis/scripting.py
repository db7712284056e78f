"""Script objects: Lua scripts run by their SHA. (Being written.)"""


class Script(object):
    pass
