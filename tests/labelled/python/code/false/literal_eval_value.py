import ast

from flask import Flask, request

app = Flask(__name__)


@app.route("/calc")
def calc():
    value = ast.literal_eval(request.args.get("value", "0"))
    return {"value": value}
