from flask import Flask, request

app = Flask(__name__)


@app.route("/metric")
def metric():
    exprs = {"requested": request.args.get("expr"), "default": "hits / max(visits, 1)"}
    scope = {"hits": 42, "visits": 100, "max": max}
    return {"ratio": eval(exprs["default"], {"__builtins__": {}}, scope)}
