from flask import Flask, request

app = Flask(__name__)


@app.post("/register")
def register():
    password = request.form.get("password", "")
    confirm = request.form.get("confirm", "")
    if password == "":
        return {"error": "password required"}, 400
    if password != confirm:
        return {"error": "passwords differ"}, 400
    return {"ok": True}, 201
