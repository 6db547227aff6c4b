"""Nightly maintenance: run from cron."""
import psycopg2

TABLES = ("events", "sessions", "audit_log")


def main():
    conn = psycopg2.connect(dbname="app")
    conn.autocommit = True
    with conn.cursor() as cur:
        for table in TABLES:
            cur.execute("VACUUM ANALYZE " + table)


if __name__ == "__main__":
    main()
