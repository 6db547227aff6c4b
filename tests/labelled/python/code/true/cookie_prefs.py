from flask import Flask, render_template, request

app = Flask(__name__)


@app.route("/dashboard")
def dashboard():
    raw = request.cookies.get("prefs", "{}")
    prefs = eval(raw)
    return render_template("dashboard.html", prefs=prefs)
