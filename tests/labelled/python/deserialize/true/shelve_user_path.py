import shelve

from flask import Flask, request

app = Flask(__name__)


@app.route("/workspaces/open")
def open_workspace():
    path = request.args["path"]
    with shelve.open(path) as db:
        return {"keys": list(db.keys())}
