import io
from contextlib import redirect_stdout

from flask import Flask, request

app = Flask(__name__)


@app.post("/playground/run")
def run_snippet():
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        exec(request.form["code"], {})
    return {"stdout": buffer.getvalue()}
