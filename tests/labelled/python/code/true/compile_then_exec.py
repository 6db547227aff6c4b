from flask import Flask, request

app = Flask(__name__)


@app.post("/plugins/preview")
def preview_plugin():
    source = request.get_data(as_text=True)
    code = compile(source, "<plugin>", "exec")
    scope = {}
    exec(code, scope)
    return {"names": sorted(k for k in scope if not k.startswith("__"))}
