import yaml
from flask import Flask, request

app = Flask(__name__)


@app.post("/import")
def import_document():
    doc = yaml.unsafe_load(request.form["document"])
    return {"title": doc.get("title")}
