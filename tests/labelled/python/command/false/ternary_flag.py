import os

from flask import Flask, request

app = Flask(__name__)


@app.route("/files")
def files():
    flag = "-la" if request.args.get("all") else "-l"
    listing = os.popen("ls " + flag + " /srv/public").read()
    return {"listing": listing.splitlines()}
