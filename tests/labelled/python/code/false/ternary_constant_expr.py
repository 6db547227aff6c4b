from aiohttp import web


async def score(request):
    expr = "wins / games" if request.query.get("ratio") else "wins"
    stats = {"wins": 7, "games": 10}
    return web.json_response({"score": eval(expr, {"__builtins__": {}}, stats)})


app = web.Application()
app.router.add_get("/score", score)
