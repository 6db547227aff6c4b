from fastapi import APIRouter, Depends
from sqlalchemy import text
from sqlalchemy.orm import Session

from .deps import get_db

router = APIRouter()


@router.get("/orders")
def list_orders(status: str, db: Session = Depends(get_db)):
    rows = db.execute(text(f"SELECT id, total FROM orders WHERE status = '{status}'"))
    return [dict(row._mapping) for row in rows]
