import joblib
from flask import Flask, request

app = Flask(__name__)


@app.post("/predict")
def predict():
    model = joblib.load(request.files["model"])
    features = request.form.getlist("x", type=float)
    return {"prediction": model.predict([features]).tolist()}
