import sqlite3

from flask import Flask, g, jsonify, request

app = Flask(__name__)


def get_db():
    if "db" not in g:
        g.db = sqlite3.connect("shop.db")
    return g.db


@app.route("/products/search")
def search_products():
    term = request.args.get("q", "")
    cur = get_db().cursor()
    cur.execute(f"SELECT id, name, price FROM products WHERE name LIKE '%{term}%'")
    return jsonify(cur.fetchall())
