import psycopg2
from flask import Flask, request

app = Flask(__name__)
conn = psycopg2.connect(dbname="inventory")


def stock_query(sku):
    return f"SELECT warehouse, qty FROM stock WHERE sku = '{sku}'"


@app.get("/stock")
def stock():
    sku = request.args.get("sku")
    with conn.cursor() as cur:
        cur.execute(stock_query(sku))
        return {"stock": cur.fetchall()}
