import os

from flask import Flask

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["FLASK_SECRET_KEY"]
app.config["SESSION_COOKIE_NAME"] = "sid"
app.config["JWT_TOKEN_LOCATION"] = "cookies"
