import pickle

EMPTY_STATE = pickle.dumps({"items": [], "version": 2})


def fresh_state():
    return pickle.loads(EMPTY_STATE)
