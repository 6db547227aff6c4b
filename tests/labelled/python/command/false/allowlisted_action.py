import subprocess

from flask import Flask, abort, request

app = Flask(__name__)


@app.post("/admin/worker")
def control_worker():
    action = request.json["action"]
    if action in ("start", "stop", "restart"):
        subprocess.run(f"systemctl {action} worker.service", shell=True, check=True)
        return {"done": action}
    abort(400)
