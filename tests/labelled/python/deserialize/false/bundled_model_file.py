import pickle
from pathlib import Path

from flask import Flask, request

app = Flask(__name__)
MODEL_PATH = Path(__file__).parent / "artifacts" / "spam_model.pkl"

with open(MODEL_PATH, "rb") as fh:
    model = pickle.load(fh)


@app.post("/spam/score")
def score():
    return {"spam": float(model.predict_proba([request.json["text"]])[0][1])}
