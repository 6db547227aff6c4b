import os
import shlex

from flask import Flask, request

app = Flask(__name__)


@app.route("/tools/ping")
def ping():
    host = request.args.get("host", "127.0.0.1")
    status = os.system("ping -c 1 -W 2 " + shlex.quote(host) + " > /dev/null")
    return {"reachable": status == 0}
