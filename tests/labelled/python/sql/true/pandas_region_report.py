import pandas as pd
from flask import Flask, request, send_file

from .db import engine

app = Flask(__name__)


@app.route("/export")
def export_region():
    region = request.args.get("region", "EU")
    frame = pd.read_sql("SELECT * FROM sales WHERE region = '%s'" % region, engine)
    frame.to_csv("/tmp/export.csv", index=False)
    return send_file("/tmp/export.csv")
