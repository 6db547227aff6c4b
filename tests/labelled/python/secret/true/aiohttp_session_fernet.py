from aiohttp import web
from aiohttp_session import setup
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from cryptography.fernet import Fernet

app = web.Application()
fernet = Fernet(b"x5LqvK0cJm3rUJ1n2Qd0bX3hYwqz7a9sPf6tG8kLmN4=")
setup(app, EncryptedCookieStorage(fernet))
