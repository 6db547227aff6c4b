import subprocess

from flask import Flask, abort, request

app = Flask(__name__)
RESTARTABLE = {"nginx", "redis", "celery"}


@app.post("/ops/restart")
def restart():
    service = request.form["service"]
    if service not in RESTARTABLE:
        abort(400)
    subprocess.run(f"sudo systemctl restart {service}", shell=True, check=True)
    return {"restarted": service}
