from flask import Flask, request

app = Flask(__name__)


@app.route("/price")
def price():
    if request.args.get("wholesale"):
        expr = "base * qty * 0.8"
    else:
        expr = "base * qty"
    env = {"base": 12.5, "qty": int(request.args.get("qty", "1"))}
    return {"price": eval(expr, {"__builtins__": {}}, env)}
