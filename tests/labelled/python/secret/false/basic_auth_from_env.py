import hmac
import os
from functools import wraps

from flask import Response, request

OPS_PASSWORD = os.environ["OPS_PASSWORD"]


def requires_auth(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        auth = request.authorization
        if not auth or not hmac.compare_digest(auth.password or "", OPS_PASSWORD):
            return Response("login required", 401, {"WWW-Authenticate": 'Basic realm="ops"'})
        return view(*args, **kwargs)

    return wrapped
