import os

SECRET_KEY = os.environ.get("SECRET_KEY", "changeme")
SESSION_SECRET = "<set-in-production>"
