import sqlite3

from flask import Flask, request

app = Flask(__name__)


@app.post("/admin/notes")
def add_note():
    body = request.get_data(as_text=True)
    conn = sqlite3.connect("notes.db")
    conn.executescript("INSERT INTO notes(body) VALUES ('" + body + "');")
    conn.commit()
    return "", 201
