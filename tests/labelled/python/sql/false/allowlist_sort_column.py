from flask import Flask, abort, request

from .db import cursor

app = Flask(__name__)
SORTABLE = {"name", "created_at", "price"}


@app.route("/products")
def products():
    sort = request.args.get("sort", "name")
    if sort not in SORTABLE:
        abort(400)
    cur = cursor()
    cur.execute(f"SELECT id, name, price FROM products ORDER BY {sort}")
    return {"products": cur.fetchall()}
