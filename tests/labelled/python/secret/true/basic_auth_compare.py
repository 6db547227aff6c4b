from functools import wraps

from flask import Response, request


def requires_auth(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        auth = request.authorization
        if not auth or auth.username != "ops" or request.authorization.password != "Sup3rS3cret!":
            return Response("login required", 401, {"WWW-Authenticate": 'Basic realm="ops"'})
        return view(*args, **kwargs)

    return wrapped
