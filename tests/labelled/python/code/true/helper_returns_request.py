from flask import Flask, request

app = Flask(__name__)


def requested_formula():
    return request.args.get("formula", "price")


@app.route("/pricing/preview")
def preview():
    env = {"price": 10.0, "qty": 3}
    return {"total": eval(requested_formula(), {"__builtins__": {}}, env)}
