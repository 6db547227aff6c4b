from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def evaluate(request: Request):
    data = await request.json()
    return JSONResponse({"result": eval(data["expr"])})


app = Starlette(routes=[Route("/evaluate", evaluate, methods=["POST"])])
