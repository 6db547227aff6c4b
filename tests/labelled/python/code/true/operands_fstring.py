from flask import Flask, request

app = Flask(__name__)


@app.route("/compute")
def compute():
    a = request.args.get("a", "0")
    b = request.args.get("b", "0")
    op = request.args.get("op", "+")
    return {"value": eval(f"{a} {op} {b}")}
