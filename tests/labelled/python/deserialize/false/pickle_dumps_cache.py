import pickle

import redis

cache = redis.Redis()


def remember_report(report_id, report):
    cache.set(f"report:{report_id}", pickle.dumps(report), ex=3600)
