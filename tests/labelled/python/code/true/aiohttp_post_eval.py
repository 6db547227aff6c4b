from aiohttp import web


async def evaluate(request):
    form = await request.post()
    result = eval(form["expression"])
    return web.json_response({"result": result})


app = web.Application()
app.router.add_post("/evaluate", evaluate)
