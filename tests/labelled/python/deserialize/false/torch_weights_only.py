import torch
from fastapi import FastAPI, UploadFile

app = FastAPI()


@app.post("/weights/inspect")
async def inspect(file: UploadFile):
    state = torch.load(file.file, weights_only=True, map_location="cpu")
    return {"tensors": len(state)}
