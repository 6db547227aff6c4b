from flask import Flask

app = Flask(__name__)
app.secret_key = "f3c9a1e07b2d4d55a9c1"


@app.route("/")
def index():
    return "ok"
