import subprocess

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class CloneRequest(BaseModel):
    url: str


@app.post("/mirrors")
def create_mirror(body: CloneRequest):
    subprocess.run(f"git clone --mirror {body.url} /srv/mirrors/", shell=True, check=True)
    return {"mirrored": body.url}
