from flask import Flask, request

app = Flask(__name__)
ALLOW_CUSTOM_HOOKS = False


@app.post("/hooks/run")
def run_hook():
    code = "result = 'noop'"
    if ALLOW_CUSTOM_HOOKS:
        code = request.form["code"]
    scope = {}
    exec(code, scope)
    return {"result": scope["result"]}
