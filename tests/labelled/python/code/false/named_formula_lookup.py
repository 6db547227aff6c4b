from flask import Flask, request

app = Flask(__name__)

FORMULAS = {
    "net": "gross - tax",
    "gross": "net + tax",
    "tax": "gross * rate",
}


@app.get("/invoice/field")
def invoice_field():
    name = request.args["field"]
    values = {"gross": 120.0, "net": 100.0, "tax": 20.0, "rate": 0.2}
    return {name: eval(FORMULAS.get(name, "0"), {"__builtins__": {}}, values)}
