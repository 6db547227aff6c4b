import subprocess

from fastapi import FastAPI, UploadFile

app = FastAPI()


@app.post("/convert")
async def convert(file: UploadFile):
    path = f"/tmp/{file.filename}"
    with open(path, "wb") as out:
        out.write(await file.read())
    subprocess.Popen(["sh", "-c", f"libreoffice --headless --convert-to pdf {path}"])
    return {"queued": file.filename}
