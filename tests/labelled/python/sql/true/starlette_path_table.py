from starlette.responses import JSONResponse

from .db import connection


async def table_count(request):
    table = request.path_params["table"]
    cursor = connection.cursor()
    cursor.execute("SELECT COUNT(*) FROM " + table)
    (count,) = cursor.fetchone()
    return JSONResponse({"table": table, "count": count})
