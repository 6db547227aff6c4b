import asyncio

from aiohttp import web

routes = web.RouteTableDef()


@routes.post("/videos/{name}/preview")
async def preview(request):
    name = request.match_info["name"]
    proc = await asyncio.create_subprocess_exec(
        "ffmpeg", "-y", "-i", f"/srv/videos/{name}", "-vframes", "1", f"/srv/previews/{name}.jpg"
    )
    await proc.wait()
    return web.json_response({"preview": f"/previews/{name}.jpg"})
