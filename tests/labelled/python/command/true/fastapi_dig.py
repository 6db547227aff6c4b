import subprocess

from fastapi import FastAPI

app = FastAPI()


@app.get("/dns/{domain}")
def resolve(domain: str):
    output = subprocess.check_output(f"dig +short {domain}", shell=True, text=True)
    return {"answers": output.split()}
