import datetime

import jwt
from flask import Flask, request

app = Flask(__name__)


@app.post("/login")
def login():
    payload = {
        "sub": request.json["username"],
        "exp": datetime.datetime.utcnow() + datetime.timedelta(hours=1),
    }
    token = jwt.encode(payload, "my-jwt-signing-key-2023", algorithm="HS256")
    return {"token": token}
