import sentry_sdk

from .search import reindex


def nightly_reindex(shards):
    for shard in shards:
        try:
            reindex(shard)
        except Exception:
            sentry_sdk.capture_exception()
