from fastapi import FastAPI, Header, HTTPException

app = FastAPI()


@app.get("/internal/metrics")
def metrics(x_api_key: str = Header(...)):
    if x_api_key != "a8f5f167f44f4964e6c998dee827110c":
        raise HTTPException(status_code=401)
    return {"requests": 1234}
