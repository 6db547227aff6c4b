import base64
import pickle

from flask import Flask, request

app = Flask(__name__)


def decode_session(raw):
    return pickle.loads(base64.b64decode(raw))


@app.route("/me")
def me():
    session = decode_session(request.cookies.get("sess", ""))
    return {"user": session.get("user")}
