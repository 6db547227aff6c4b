from flask import Flask, request

app = Flask(__name__)


@app.post("/config/apply")
def apply_config():
    code = "settings = {}\n"
    code += "settings['timeout'] = " + request.form["timeout"] + "\n"
    namespace = {}
    exec(code, namespace)
    return namespace["settings"]
