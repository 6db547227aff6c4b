from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "django-insecure-q7$x0!m9l@v2z#k8^r1w&t3y"
DEBUG = False
ALLOWED_HOSTS = ["shop.example.com"]
