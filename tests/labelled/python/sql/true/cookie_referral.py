from flask import Flask, make_response, request

from .database import get_cursor

app = Flask(__name__)


@app.route("/")
def landing():
    ref = request.cookies.get("ref")
    if ref:
        cur = get_cursor()
        cur.execute(f"INSERT INTO referrals (code, seen_at) VALUES ('{ref}', now())")
    return make_response("welcome")
