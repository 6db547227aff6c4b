import psycopg2
from flask import Flask, request

app = Flask(__name__)
conn = psycopg2.connect(dbname="inventory")


@app.get("/stock")
def stock():
    sku = request.args.get("sku")
    with conn.cursor() as cur:
        cur.execute("SELECT warehouse, qty FROM stock WHERE sku = %s", (sku,))
        return {"stock": cur.fetchall()}
