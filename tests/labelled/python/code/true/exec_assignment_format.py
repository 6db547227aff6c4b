from flask import Flask, request

app = Flask(__name__)


@app.post("/vars")
def set_var():
    name = request.form["name"]
    value = request.form["value"]
    scope = {}
    exec("{} = {}".format(name, value), scope)
    return {name: repr(scope.get(name))}
