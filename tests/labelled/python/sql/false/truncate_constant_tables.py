import psycopg

CACHE_TABLES = ("sessions", "rate_limits", "password_resets")


def clear_caches(dsn):
    with psycopg.connect(dsn) as conn:
        for table in CACHE_TABLES:
            conn.execute(f"TRUNCATE TABLE {table}")
