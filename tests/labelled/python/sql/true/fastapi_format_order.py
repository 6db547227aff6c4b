from fastapi import Depends, FastAPI

from .db import get_connection

app = FastAPI()


@app.get("/reports")
def list_reports(order_by: str = "created_at", conn=Depends(get_connection)):
    query = "SELECT id, title, created_at FROM reports ORDER BY {}".format(order_by)
    with conn.cursor() as cur:
        cur.execute(query)
        return cur.fetchall()
