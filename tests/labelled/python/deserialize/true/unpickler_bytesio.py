import io
import pickle

from flask import Flask, request

app = Flask(__name__)


@app.post("/snapshots")
def load_snapshot():
    snapshot = pickle.Unpickler(io.BytesIO(request.data)).load()
    return {"keys": list(snapshot)}
