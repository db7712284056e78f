"""Pipelines: buffered commands sent in one round trip, optionally as a
MULTI/EXEC transaction. (Being written; see the pipeline issue.)"""


class BasePipeline(object):
    pass
