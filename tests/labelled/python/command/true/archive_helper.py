import os

from flask import Flask, request

app = Flask(__name__)


def archive_command(folder):
    return "tar czf /srv/archives/export.tgz -C /srv/data " + folder


@app.post("/export")
def export():
    folder = request.form["folder"]
    os.system(archive_command(folder))
    return {"archive": "/srv/archives/export.tgz"}
