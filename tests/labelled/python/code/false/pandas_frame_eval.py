import pandas as pd
from flask import Flask, request

app = Flask(__name__)
frame = pd.read_csv("sales.csv")


@app.route("/sales/margin")
def margin():
    region = request.args.get("region", "EU")
    subset = frame[frame["region"] == region]
    return {"margin": float(subset.eval("revenue - cost").sum())}
