from flask import Flask, jsonify, request

from .db import get_conn

app = Flask(__name__)


@app.post("/invoices/archive")
def archive_invoices():
    ids = [int(i) for i in request.get_json()["ids"]]
    placeholders = ", ".join(["%s"] * len(ids))
    conn = get_conn()
    conn.cursor().execute(f"UPDATE invoices SET archived = true WHERE id IN ({placeholders})", ids)
    conn.commit()
    return jsonify(archived=len(ids))
