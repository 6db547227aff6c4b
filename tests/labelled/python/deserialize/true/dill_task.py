import dill
from fastapi import FastAPI, Request

app = FastAPI()


@app.post("/tasks/submit")
async def submit_task(request: Request):
    body = await request.body()
    task = dill.loads(body)
    return {"result": task()}
