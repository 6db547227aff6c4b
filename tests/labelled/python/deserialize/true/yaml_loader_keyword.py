import yaml
from flask import Flask, request

app = Flask(__name__)


@app.post("/pipelines/validate")
def validate_pipeline():
    spec = yaml.load(request.data, Loader=yaml.Loader)
    return {"stages": list(spec.get("stages", []))}
