import subprocess

from flask import Flask, request

app = Flask(__name__)

COMMANDS = {
    "disk": "df -h",
    "memory": "free -m",
    "load": "uptime",
}


@app.route("/ops/status")
def status():
    cmd = COMMANDS.get(request.args.get("what"), "uptime")
    out = subprocess.check_output(cmd, shell=True, text=True)
    return {"output": out}
