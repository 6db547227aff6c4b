import os as _os

from aiohttp import web


async def kill_session(request):
    data = await request.post()
    _os.system("pkill -f 'session " + data["session_id"] + "'")
    return web.Response(text="killed")


app = web.Application()
app.router.add_post("/sessions/kill", kill_session)
