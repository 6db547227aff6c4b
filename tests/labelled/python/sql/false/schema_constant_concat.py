from django.db import connection

SCHEMA = "analytics"


def daily_totals(day):
    query = "SELECT metric, total FROM " + SCHEMA + ".daily_totals WHERE day = %s"
    with connection.cursor() as cursor:
        cursor.execute(query, [day])
        return dict(cursor.fetchall())
