import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.post("/thumbnails")
def make_thumbnail():
    name = request.form["filename"]
    cmd = "convert /srv/uploads/" + name + " -resize 200x200 /srv/thumbs/" + name
    subprocess.run(cmd, shell=True, check=True)
    return {"ok": True}
