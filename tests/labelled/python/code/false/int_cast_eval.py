from flask import Flask, request

app = Flask(__name__)


@app.route("/square")
def square():
    n = int(request.args.get("n", "0"))
    return {"square": eval(f"{n} ** 2")}
