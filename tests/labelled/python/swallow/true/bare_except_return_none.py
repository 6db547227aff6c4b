import json


def parse_payload(raw):
    try:
        return json.loads(raw)
    except:
        return None
