import requests

API_TOKEN = "ghp_8Xk2LmQ9zR4tV7wY1bN6cD3fH5jK0pS2uA9e"


def open_issues(repo):
    response = requests.get(
        f"https://api.github.com/repos/{repo}/issues",
        headers={"Authorization": f"token {API_TOKEN}"},
        timeout=10,
    )
    return response.json()
