from flask import Blueprint, request

from ..extensions import db

bp = Blueprint("customers", __name__)


@bp.post("/customers/filter")
def filter_customers():
    city = request.form["city"]
    where = "city = '" + city + "'"
    sql = "SELECT id, email FROM customers WHERE " + where + " AND active = 1"
    rows = db.session.connection().exec_driver_sql(sql).fetchall()
    cursor = db.engine.raw_connection().cursor()
    cursor.execute(sql)
    return {"count": len(rows), "rows": [list(r) for r in cursor.fetchall()]}
