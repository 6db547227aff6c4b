try:
    import cPickle as pickle
except ImportError:
    import pickle

from flask import Flask, request

app = Flask(__name__)


@app.post("/legacy/import")
def legacy_import():
    records = pickle.loads(request.data)
    return {"imported": len(records)}
