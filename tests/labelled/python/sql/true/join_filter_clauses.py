from flask import request

from app import app, db_cursor

FILTERABLE = ("status", "owner", "priority")


@app.route("/tickets")
def tickets():
    clauses = []
    for field in FILTERABLE:
        value = request.args.get(field)
        if value:
            clauses.append(f"{field} = '{value}'")
    sql = "SELECT * FROM tickets"
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    cur = db_cursor()
    cur.execute(sql)
    return {"tickets": cur.fetchall()}
