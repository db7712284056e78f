"""Publish/subscribe on a dedicated connection. (Being written.)"""


class PubSub(object):
    pass


class PubSubWorkerThread(object):
    pass
