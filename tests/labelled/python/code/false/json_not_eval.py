import json

from flask import Flask, render_template, request

app = Flask(__name__)


@app.route("/dashboard")
def dashboard():
    prefs = json.loads(request.cookies.get("prefs", "{}"))
    return render_template("dashboard.html", prefs=prefs)
