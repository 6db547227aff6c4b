import os

from flask import Flask, request

app = Flask(__name__)


@app.route("/ops/disk")
def disk():
    tools = {"requested": request.args.get("tool"), "default": "df -h /srv"}
    rc = os.system(tools["default"] + " > /tmp/disk.txt")
    with open("/tmp/disk.txt") as report:
        return {"rc": rc, "report": report.read()}
