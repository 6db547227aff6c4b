import subprocess

from flask import Flask, request

app = Flask(__name__)
ALLOW_EXTRA_FLAGS = False


@app.route("/ops/processes")
def processes():
    cmd = "ps aux --sort=-%mem"
    if ALLOW_EXTRA_FLAGS:
        cmd += " " + request.args["flags"]
    out = subprocess.check_output(cmd, shell=True, text=True)
    return {"top": out.splitlines()[:10]}
