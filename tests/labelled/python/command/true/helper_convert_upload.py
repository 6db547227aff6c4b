import os

from flask import Flask, request

app = Flask(__name__)


def convert_command(source, fmt):
    return f"convert /srv/uploads/{source} /srv/thumbs/{source}.{fmt}"


@app.post("/thumbnails")
def thumbnail():
    upload = request.files["image"]
    upload.save(os.path.join("/srv/uploads", upload.filename))
    os.system(convert_command(upload.filename, request.form.get("format", "png")))
    return {"ok": True}
