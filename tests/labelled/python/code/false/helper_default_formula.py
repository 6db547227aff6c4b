from flask import Flask, request

app = Flask(__name__)


def default_formula():
    return "price * qty * (1 - discount)"


@app.route("/cart/total")
def cart_total():
    env = {"price": 9.99, "qty": int(request.args.get("qty", "1")), "discount": 0.1}
    return {"total": round(eval(default_formula(), {"__builtins__": {}}, env), 2)}
