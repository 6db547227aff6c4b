import asyncio

from aiohttp import web

routes = web.RouteTableDef()


@routes.post("/videos/{name}/preview")
async def preview(request):
    name = request.match_info["name"]
    proc = await asyncio.create_subprocess_shell(
        f"ffmpeg -y -i /srv/videos/{name} -ss 00:00:01 -vframes 1 /srv/previews/{name}.jpg"
    )
    await proc.wait()
    return web.json_response({"preview": f"/previews/{name}.jpg"})
