import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/traceroute")
def traceroute():
    target = request.values.get("target")
    hops = request.values.get("hops", "15")
    command = "traceroute -m {} {}".format(hops, target)
    proc = subprocess.Popen(command, shell=True, stdout=subprocess.PIPE, text=True)
    out, _ = proc.communicate(timeout=60)
    return {"trace": out}
