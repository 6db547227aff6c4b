from fastapi import FastAPI

app = FastAPI()


@app.get("/convert")
def convert(value: str, factor: str = "1"):
    return {"converted": eval(value) * eval(factor)}
