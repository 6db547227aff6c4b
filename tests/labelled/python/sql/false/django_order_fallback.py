from django.db import connection
from django.http import JsonResponse

ORDERINGS = {"name", "-name", "created", "-created"}


def product_list(request):
    order = request.GET.get("order", "name")
    if order not in ORDERINGS:
        order = "name"
    column = order.lstrip("-")
    direction = "DESC" if order.startswith("-") else "ASC"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, name FROM shop_product ORDER BY {column} {direction}")
        rows = cursor.fetchall()
    return JsonResponse({"products": rows})
