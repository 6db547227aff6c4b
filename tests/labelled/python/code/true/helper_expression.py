from flask import Flask, request

app = Flask(__name__)


def expression(left, operator, right):
    return f"{left} {operator} {right}"


@app.get("/compare")
def compare():
    args = request.args
    verdict = eval(expression(args["a"], args.get("op", "=="), args["b"]))
    return {"verdict": bool(verdict)}
