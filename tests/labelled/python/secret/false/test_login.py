import pytest

from app import create_app


@pytest.fixture
def client():
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret"})
    return app.test_client()


def test_admin_login(client):
    password = "correct horse battery staple"
    response = client.post("/admin/login", data={"password": password})
    assert response.status_code == 302
