import os
import uuid

from flask import Flask

app = Flask(__name__)


@app.post("/sandbox")
def new_sandbox():
    name = uuid.uuid4().hex
    os.system(f"mkdir -p /srv/sandboxes/{name} && cp -r /srv/template/. /srv/sandboxes/{name}")
    return {"sandbox": name}
