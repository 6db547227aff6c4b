from flask import Flask, request

from .db import cursor

app = Flask(__name__)


@app.route("/orders/mine")
def my_orders():
    opts = {"user": request.args["user"], "table": "orders_2024"}
    cur = cursor()
    cur.execute(f"SELECT id, total FROM {opts['table']} WHERE customer = %s", (opts["user"],))
    return {"orders": cur.fetchall()}
