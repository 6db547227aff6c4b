import jwt
from django.conf import settings


def issue_token(user):
    return jwt.encode({"sub": str(user.pk)}, settings.JWT_SIGNING_KEY, algorithm="HS256")
