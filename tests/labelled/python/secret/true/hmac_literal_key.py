import hashlib
import hmac

from flask import Flask, abort, request

app = Flask(__name__)


@app.post("/webhooks/github")
def github_webhook():
    signature = request.headers.get("X-Hub-Signature-256", "")
    digest = hmac.new(b"wh-9f8a7c6e5d", request.data, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature, "sha256=" + digest):
        abort(401)
    return "", 204
