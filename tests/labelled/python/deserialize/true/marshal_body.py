import marshal

from flask import Flask, request

app = Flask(__name__)


@app.post("/rpc")
def rpc():
    call = marshal.loads(request.get_data())
    return {"method": call[0]}
