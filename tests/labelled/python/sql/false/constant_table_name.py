import sqlite3

EVENTS_TABLE = "events"
RETENTION_DAYS = 90


def prune(conn: sqlite3.Connection) -> int:
    cur = conn.execute(
        f"DELETE FROM {EVENTS_TABLE} WHERE created_at < date('now', '-{RETENTION_DAYS} days')"
    )
    conn.commit()
    return cur.rowcount
