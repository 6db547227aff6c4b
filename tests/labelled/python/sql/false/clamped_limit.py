from fastapi import FastAPI

from .db import pool

app = FastAPI()


@app.get("/events")
async def recent_events(limit: str = "20"):
    n = min(int(limit), 200)
    async with pool.acquire() as conn:
        async with conn.cursor() as cur:
            await cur.execute("SELECT id, kind FROM events ORDER BY id DESC LIMIT %d" % n)
            return await cur.fetchall()
