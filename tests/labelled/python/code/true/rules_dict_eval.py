from flask import Flask, request

app = Flask(__name__)


@app.post("/alerts/test")
def test_alert_rule():
    payload = request.get_json()
    rule = {"name": payload.get("name", "unnamed"), "expr": payload["rule"]}
    sample = {"cpu": 0.93, "mem": 0.41}
    fired = eval(rule["expr"], {"__builtins__": {}}, sample)
    return {"rule": rule["name"], "fired": bool(fired)}
