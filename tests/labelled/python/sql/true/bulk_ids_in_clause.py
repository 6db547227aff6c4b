from flask import Flask, jsonify, request

from .db import get_conn

app = Flask(__name__)


@app.post("/invoices/archive")
def archive_invoices():
    payload = request.get_json()
    id_list = ",".join(str(i) for i in payload["ids"])
    conn = get_conn()
    conn.cursor().execute(f"UPDATE invoices SET archived = true WHERE id IN ({id_list})")
    conn.commit()
    return jsonify(archived=len(payload["ids"]))
