from flask import Flask, request

from .store import all_items

app = Flask(__name__)


@app.route("/items")
def items():
    predicate = request.headers.get("X-Item-Filter", "True")
    return {"items": [i for i in all_items() if eval(predicate, {"item": i})]}
