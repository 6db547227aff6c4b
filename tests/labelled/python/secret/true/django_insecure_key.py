from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "django-insecure-k3#v9@x!p2m0q7z^t5w8r1y4u6i"
DEBUG = False
ALLOWED_HOSTS = ["api.internal"]
