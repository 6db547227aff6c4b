from aiohttp import web

routes = web.RouteTableDef()


@routes.get("/feed")
async def feed(request):
    if request.query.get("recent"):
        order = "published_at DESC"
    else:
        order = "score DESC, published_at DESC"
    async with request.app["pool"].acquire() as conn:
        async with conn.cursor() as cur:
            await cur.execute(f"SELECT id, title FROM stories ORDER BY {order} LIMIT 30")
            rows = await cur.fetchall()
    return web.json_response(rows)
