import base64

from flask import Flask, request

app = Flask(__name__)


@app.route("/q")
def query():
    encoded = request.args["q"]
    decoded = base64.urlsafe_b64decode(encoded).decode()
    return {"answer": eval(decoded)}
