from flask import Flask, request

app = Flask(__name__)


@app.route("/items")
def items():
    try:
        limit = int(request.args.get("limit", "20"))
    except ValueError:
        return {"error": "limit must be a number"}, 400
    return {"limit": limit}
