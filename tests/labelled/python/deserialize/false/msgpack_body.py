import msgpack
from fastapi import FastAPI, Request

app = FastAPI()


@app.post("/telemetry")
async def telemetry(request: Request):
    points = msgpack.unpackb(await request.body(), raw=False)
    return {"received": len(points)}
