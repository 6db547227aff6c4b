import subprocess

from fastapi import FastAPI

app = FastAPI()


def revision_command():
    return "git rev-parse --short HEAD"


@app.get("/version")
def version():
    sha = subprocess.check_output(revision_command(), shell=True, text=True).strip()
    return {"revision": sha}
