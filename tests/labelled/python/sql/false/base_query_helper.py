from flask import Flask, request

from .db import cursor

app = Flask(__name__)


def base_query():
    return "SELECT id, name, email FROM members"


@app.route("/members/<int:member_id>")
def member(member_id):
    cur = cursor()
    cur.execute(base_query() + " WHERE id = %s", (member_id,))
    return {"member": cur.fetchone(), "ref": request.args.get("ref")}
