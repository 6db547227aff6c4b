from flask import Flask, request

from .db import cursor

app = Flask(__name__)
TRUST_RAW_FILTER = False


@app.route("/shipments")
def shipments():
    sql = "SELECT id, carrier, eta FROM shipments WHERE delivered = false"
    if TRUST_RAW_FILTER:
        sql += " AND " + request.args["filter"]
    cur = cursor()
    cur.execute(sql)
    return {"shipments": cur.fetchall()}
