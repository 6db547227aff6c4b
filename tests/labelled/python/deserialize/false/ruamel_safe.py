from ruamel.yaml import YAML
from flask import Flask, request

app = Flask(__name__)
yaml = YAML(typ="safe")


@app.post("/compose/lint")
def lint_compose():
    doc = yaml.load(request.data)
    return {"services": sorted(doc.get("services", {}))}
