import MySQLdb
from flask import Flask, request

app = Flask(__name__)


@app.route("/audit")
def audit_log():
    params = {"actor": request.args["actor"], "limit": 50}
    db = MySQLdb.connect(host="localhost", db="audit")
    cur = db.cursor()
    cur.execute(
        "SELECT * FROM audit_log WHERE actor = '%s' LIMIT %d" % (params["actor"], params["limit"])
    )
    return {"entries": cur.fetchall()}
