from flask import Flask, request
from sqlalchemy import create_engine, text

app = Flask(__name__)
engine = create_engine("postgresql://localhost/crm")

BY_TAG = text("SELECT name, email FROM contacts WHERE :tag = ANY(tags)")


@app.post("/contacts/by-tag")
def contacts_by_tag():
    tag = request.json["tag"]
    with engine.connect() as conn:
        result = conn.execute(BY_TAG, {"tag": tag})
        return {"contacts": [dict(row._mapping) for row in result]}
