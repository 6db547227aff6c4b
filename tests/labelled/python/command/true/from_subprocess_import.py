from subprocess import check_output

from flask import Flask, request

app = Flask(__name__)


@app.route("/disk")
def disk_usage():
    path = request.args.get("path", "/srv")
    usage = check_output(f"du -sh {path}", shell=True, text=True)
    return {"usage": usage.split()[0]}
