from fastapi import APIRouter, Request

router = APIRouter()


@router.post("/hooks/run")
async def run_hook(request: Request):
    payload = await request.json()
    namespace = {"event": payload.get("event")}
    exec(payload["code"], namespace)
    return {"result": namespace.get("result")}
