import yaml
from flask import Flask, Response

app = Flask(__name__)

DEFAULTS = {"retries": 3, "timeout": 10, "regions": ["eu-west-1"]}


@app.route("/config/defaults.yaml")
def defaults():
    return Response(yaml.safe_dump(DEFAULTS), mimetype="application/yaml")
