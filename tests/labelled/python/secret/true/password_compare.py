from flask import Flask, redirect, request, session

app = Flask(__name__)


@app.post("/admin/login")
def admin_login():
    password = request.form.get("password", "")
    if password == "letmein":
        session["admin"] = True
        return redirect("/admin")
    return "forbidden", 403
