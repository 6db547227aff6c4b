import jwt
import pytest


@pytest.fixture
def auth_header():
    token = jwt.encode({"sub": "alice"}, "unit-test-key", algorithm="HS256")
    return {"Authorization": f"Bearer {token}"}
