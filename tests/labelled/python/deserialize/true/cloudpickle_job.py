import base64

import cloudpickle
from flask import Flask, request

app = Flask(__name__)


@app.post("/jobs/run")
def run_job():
    fn = cloudpickle.loads(base64.b64decode(request.json["fn"]))
    return {"result": fn()}
