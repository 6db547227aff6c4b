from flask import Flask, abort, request

from .auth import verify

app = Flask(__name__)


@app.before_request
def check_token():
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not verify(token):
        abort(401)
