from flask import Flask, request

app = Flask(__name__)


@app.get("/quote")
def quote():
    if request.args.get("member") == "1":
        formula = "price * qty * 0.9"
    else:
        formula = "price * qty"
    price = float(request.args["price"])
    qty = int(request.args["qty"])
    return {"total": eval(formula, {"__builtins__": {}}, {"price": price, "qty": qty})}
