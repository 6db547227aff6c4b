from aiohttp import web

routes = web.RouteTableDef()


@routes.get("/rows")
async def rows(request):
    data = request.app["rows"]
    key_expr = request.query.get("sort", "row['id']")
    ordered = sorted(data, key=lambda row: eval(key_expr))
    return web.json_response(ordered)
