from flask import Flask, abort, request

app = Flask(__name__)

AGGREGATES = ("sum", "min", "max", "len")


@app.post("/stats")
def stats():
    name = request.args.get("agg", "sum")
    if name not in AGGREGATES:
        abort(400)
    values = [float(v) for v in request.json["values"]]
    return {"value": eval(f"{name}(values)", {"__builtins__": __builtins__}, {"values": values})}
