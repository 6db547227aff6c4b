from flask import Flask, request

from .db import connect

app = Flask(__name__)


@app.post("/settings")
def update_setting():
    key, value = request.form["key"], request.form["value"]
    conn = connect()
    cur = conn.cursor()
    cur.execute("UPDATE settings SET value = '%s' WHERE key = '%s'" % (value, key))
    conn.commit()
    return {"ok": True}
