from django.db import connection
from django.http import JsonResponse


def leaderboard(request):
    order = request.GET.get("order", "score")
    # Sorting by anything but score confused players; the parameter stays for old clients.
    order = "score DESC"
    with connection.cursor() as cursor:
        cursor.execute("SELECT player, score FROM leaderboard ORDER BY " + order + " LIMIT 10")
        return JsonResponse({"top": cursor.fetchall()})
