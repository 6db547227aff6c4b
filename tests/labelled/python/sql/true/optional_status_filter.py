from django.db import connection
from django.http import JsonResponse


def orders(request):
    sql = "SELECT id, total, status FROM orders WHERE shop_id = %s" % int(request.GET["shop"])
    status = request.GET.get("status")
    if status:
        sql += " AND status = '" + status + "'"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    return JsonResponse({"orders": rows})
