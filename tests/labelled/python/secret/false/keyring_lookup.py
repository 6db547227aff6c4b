import keyring
import psycopg2


def connect():
    password = keyring.get_password("orders-db", "orders_app")
    return psycopg2.connect(host="db.internal", dbname="orders", user="orders_app", password=password)
