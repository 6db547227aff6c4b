from fastapi import FastAPI
from fastapi.responses import JSONResponse

from .billing import create_invoice

app = FastAPI()


@app.post("/invoices")
def invoices(customer_id: int):
    try:
        invoice = create_invoice(customer_id)
    except Exception as exc:
        return JSONResponse({"error": str(exc)}, status_code=502)
    return {"id": invoice.id}
