import hashlib
import hmac
import os

WEBHOOK_KEY = os.environ["WEBHOOK_KEY"].encode()


def sign(body: bytes) -> str:
    return hmac.new(WEBHOOK_KEY, body, hashlib.sha256).hexdigest()
