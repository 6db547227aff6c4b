import os

from flask import Flask, request

app = Flask(__name__)


@app.route("/whois")
def whois():
    domain = request.args["domain"]
    with os.popen("whois %s" % domain) as pipe:
        return pipe.read(), 200, {"Content-Type": "text/plain"}
