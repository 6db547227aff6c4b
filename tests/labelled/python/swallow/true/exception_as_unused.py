from flask import Flask, jsonify

from .cache import redis_client

app = Flask(__name__)


@app.route("/health")
def health():
    cache_ok = True
    try:
        redis_client.ping()
    except Exception as exc:
        cache_ok = True
    return jsonify(cache=cache_ok)
