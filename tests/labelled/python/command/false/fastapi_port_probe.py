import os

from fastapi import FastAPI

app = FastAPI()


@app.get("/health/port/{port}")
def port_open(port: int):
    status = os.system(f"nc -z -w 2 127.0.0.1 {port}")
    return {"open": status == 0}
