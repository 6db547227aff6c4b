import base64
from pickle import loads

from flask import Flask, request

app = Flask(__name__)


@app.route("/profile")
def profile():
    session = loads(base64.b64decode(request.cookies["session"]))
    return {"user": session["user"]}
