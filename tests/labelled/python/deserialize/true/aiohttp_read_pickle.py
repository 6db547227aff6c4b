import pickle

from aiohttp import web


async def ingest(request):
    body = await request.read()
    batch = pickle.loads(body)
    request.app["queue"].extend(batch)
    return web.json_response({"queued": len(batch)})


app = web.Application()
app["queue"] = []
app.router.add_post("/ingest", ingest)
