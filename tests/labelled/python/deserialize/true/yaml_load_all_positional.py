import yaml
from fastapi import FastAPI, Request

app = FastAPI()


@app.post("/bundles")
async def import_bundle(request: Request):
    raw = await request.body()
    documents = list(yaml.load_all(raw, yaml.FullLoader))
    return {"documents": len(documents)}
