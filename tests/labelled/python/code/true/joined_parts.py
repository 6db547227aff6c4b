from flask import Flask, request

app = Flask(__name__)


@app.route("/double")
def double():
    parts = [request.args["x"], "*", "2"]
    return {"value": eval("".join(parts))}
