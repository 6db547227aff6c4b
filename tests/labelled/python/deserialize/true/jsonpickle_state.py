import jsonpickle
from flask import Flask, request

app = Flask(__name__)


@app.post("/wizard/resume")
def resume_wizard():
    state = jsonpickle.decode(request.json["state"])
    return {"step": state.step}
