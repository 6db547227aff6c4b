from fastapi import FastAPI, HTTPException

app = FastAPI()

FORMULAS = {
    "net": "gross - tax",
    "gross": "net + tax",
    "tax": "gross * 0.19",
}


@app.get("/tax/{what}")
def tax(what: str, gross: float = 0.0, net: float = 0.0, tax: float = 0.0):
    if what not in FORMULAS:
        raise HTTPException(status_code=404)
    return {what: eval(FORMULAS[what], {}, {"gross": gross, "net": net, "tax": tax})}
