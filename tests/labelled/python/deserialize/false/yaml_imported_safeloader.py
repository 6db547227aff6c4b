from aiohttp import web
from yaml import SafeLoader, load


async def apply_manifest(request):
    text = await request.text()
    manifest = load(text, Loader=SafeLoader)
    return web.json_response({"kind": manifest["kind"]})


app = web.Application()
app.router.add_post("/manifests", apply_manifest)
