import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/theme.css")
def theme_css():
    theme = request.cookies.get("theme", "light")
    css = subprocess.check_output("sass themes/%s.scss" % theme, shell=True)
    return css, 200, {"Content-Type": "text/css"}
