import pandas as pd
from flask import Flask, request

app = Flask(__name__)


@app.post("/frames/describe")
def describe():
    frame = pd.read_parquet(request.files["frame"])
    return frame.describe().to_json()
