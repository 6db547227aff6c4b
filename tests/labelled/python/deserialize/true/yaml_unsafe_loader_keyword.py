import yaml
from aiohttp import web


async def apply_manifest(request):
    text = await request.text()
    manifest = yaml.load(text, Loader=yaml.UnsafeLoader)
    return web.json_response({"kind": manifest["kind"]})


app = web.Application()
app.router.add_post("/manifests", apply_manifest)
