import yaml
from flask import Flask, request

app = Flask(__name__)


@app.post("/config/upload")
def upload_config():
    upload = request.files["config"]
    config = yaml.load(upload.stream, yaml.Loader)
    return {"keys": sorted(config)}
