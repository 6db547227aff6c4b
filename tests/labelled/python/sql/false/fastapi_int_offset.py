from fastapi import APIRouter, Depends
from sqlalchemy import text
from sqlalchemy.orm import Session

from .deps import get_db

router = APIRouter()


@router.get("/posts")
def list_posts(page: int = 0, db: Session = Depends(get_db)):
    rows = db.execute(text(f"SELECT id, title FROM posts ORDER BY id LIMIT 20 OFFSET {page * 20}"))
    return [dict(row._mapping) for row in rows]
