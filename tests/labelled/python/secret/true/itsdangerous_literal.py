from flask import Flask, request, url_for
from itsdangerous import URLSafeTimedSerializer

app = Flask(__name__)
serializer = URLSafeTimedSerializer("reset-links-2024")


@app.post("/password-reset")
def request_reset():
    email = request.form["email"]
    token = serializer.dumps(email, salt="password-reset")
    return {"link": url_for("confirm_reset", token=token, _external=True)}
