from flask import Flask, request

from .db import cursor

app = Flask(__name__)
PAGE_SIZE = 25


@app.route("/posts")
def posts():
    page = int(request.args.get("page", 1))
    offset = (page - 1) * PAGE_SIZE
    cur = cursor()
    cur.execute(f"SELECT id, title FROM posts ORDER BY id DESC LIMIT {PAGE_SIZE} OFFSET {offset}")
    return {"posts": cur.fetchall()}
