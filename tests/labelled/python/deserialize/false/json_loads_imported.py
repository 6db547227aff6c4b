from json import loads

from flask import Flask, request

app = Flask(__name__)


@app.post("/events")
def events():
    batch = loads(request.data)
    return {"accepted": len(batch)}
