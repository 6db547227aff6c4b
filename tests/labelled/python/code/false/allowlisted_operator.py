from flask import Flask, abort, request

app = Flask(__name__)
OPERATORS = ("+", "-", "*", "/")


@app.route("/compute")
def compute():
    a = float(request.args.get("a", "0"))
    b = float(request.args.get("b", "1"))
    op = request.args.get("op", "+")
    if op not in OPERATORS:
        abort(400)
    return {"value": eval(f"{a} {op} {b}")}
