import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.post("/motd")
def set_motd():
    message = request.form.get("message", "")
    subprocess.run(["bash", "-c", "echo '" + message + "' > /etc/motd"], check=True)
    return "", 204
