import joblib
from starlette.requests import Request
from starlette.responses import JSONResponse


async def upload_model(request: Request):
    form = await request.form()
    model = joblib.load(form["model"].file)
    return JSONResponse({"classes": list(model.classes_)})
