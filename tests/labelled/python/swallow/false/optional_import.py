try:
    import ujson as json
except ImportError:
    import json


def dumps(obj):
    return json.dumps(obj)
