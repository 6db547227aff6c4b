from fastapi import Depends, FastAPI, Header, HTTPException

app = FastAPI()
INTERNAL_API_KEY = "svc-internal"


def require_key(x_api_key: str = Header(...)):
    if x_api_key != INTERNAL_API_KEY:
        raise HTTPException(status_code=401)


@app.get("/internal/stats", dependencies=[Depends(require_key)])
def stats():
    return {"ok": True}
