import shlex
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/logs/search")
def search_logs():
    pattern = request.args.get("pattern", "")
    cmd = shlex.join(["grep", "-F", "--", pattern, "/var/log/app.log"]) + " | tail -n 100"
    out = subprocess.run(cmd, shell=True, capture_output=True, text=True)
    return {"lines": out.stdout.splitlines()}
