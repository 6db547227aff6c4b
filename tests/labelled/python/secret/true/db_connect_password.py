import psycopg2


def connect():
    return psycopg2.connect(
        host="db.internal",
        dbname="orders",
        user="orders_app",
        password="Wint3r!2024",
    )
