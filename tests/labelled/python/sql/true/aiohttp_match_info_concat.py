from aiohttp import web

routes = web.RouteTableDef()


@routes.delete("/items/{item_id}")
async def delete_item(request):
    item_id = request.match_info["item_id"]
    async with request.app["pool"].acquire() as conn:
        async with conn.cursor() as cur:
            await cur.execute("DELETE FROM items WHERE id = " + item_id)
    return web.Response(status=204)
