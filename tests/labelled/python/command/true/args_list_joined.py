import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/repo/log")
def repo_log():
    branch = request.args.get("branch", "main")
    args = ["git", "-C", "/srv/repo", "log", "--oneline", "-n", "20", branch]
    result = subprocess.run(" ".join(args), shell=True, capture_output=True, text=True)
    return {"log": result.stdout.splitlines()}
