from flask import Flask, request

from .db import cursor

app = Flask(__name__)
DIRECTIONS = {"asc": "ASC", "desc": "DESC"}


@app.route("/scores")
def scores():
    direction = DIRECTIONS.get(request.args.get("dir", "desc"), "DESC")
    cur = cursor()
    cur.execute("SELECT name, score FROM scores ORDER BY score %s LIMIT 50" % direction)
    return {"scores": cur.fetchall()}
