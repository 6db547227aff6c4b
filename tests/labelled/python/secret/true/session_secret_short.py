import os

SESSION_SECRET = "devkey"
SESSION_COOKIE_NAME = "sid"
SESSION_TTL = int(os.environ.get("SESSION_TTL", "3600"))
