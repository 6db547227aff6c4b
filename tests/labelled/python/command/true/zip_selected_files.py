import os

from flask import Flask, request, send_file

app = Flask(__name__)


@app.post("/bundle")
def bundle():
    cmd = "cd /srv/files && zip -q /tmp/bundle.zip"
    for name in request.json["files"]:
        cmd += " " + name
    os.system(cmd)
    return send_file("/tmp/bundle.zip")
