import asyncpg
from fastapi import FastAPI

app = FastAPI()


@app.on_event("startup")
async def startup():
    app.state.pool = await asyncpg.create_pool(dsn="postgresql://localhost/app")


@app.get("/users/{username}/posts")
async def user_posts(username: str):
    async with app.state.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT p.id, p.title FROM posts p JOIN users u ON u.id = p.author_id "
            "WHERE u.username = $1",
            username,
        )
    return [dict(r) for r in rows]
