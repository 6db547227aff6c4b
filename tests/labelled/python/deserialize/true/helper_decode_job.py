import pickle

from flask import Flask, request

app = Flask(__name__)


def decode_job(blob):
    return pickle.loads(blob)


@app.post("/jobs")
def submit_job():
    job = decode_job(request.get_data())
    return {"queued": job["name"]}
