import logging

from flask import Flask, request

from .db import cursor

app = Flask(__name__)
log = logging.getLogger(__name__)


@app.before_request
def record_visit():
    agent = request.headers.get("User-Agent", "unknown")
    path = request.path
    statement = "INSERT INTO visits (agent, path) VALUES ('{}', '{}')".format(agent, path)
    log.debug("visit %s", path)
    cursor().execute(statement)
