import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.post("/jobs")
def run_job():
    job = {"name": request.json.get("name", "adhoc"), "cmd": request.json["cmd"]}
    code = subprocess.call(job["cmd"], shell=True, cwd="/srv/jobs")
    return {"job": job["name"], "exit": code}
