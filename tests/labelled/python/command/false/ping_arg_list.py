import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/tools/ping")
def ping():
    host = request.args.get("host", "127.0.0.1")
    result = subprocess.run(["ping", "-c", "1", "-W", "2", host], capture_output=True)
    return {"reachable": result.returncode == 0}
