import sqlite3

COUNTRIES = [("DE", "Germany"), ("FR", "France"), ("NL", "Netherlands")]


def seed(path="geo.db"):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE IF NOT EXISTS countries (code TEXT PRIMARY KEY, name TEXT)")
    conn.executemany("INSERT OR IGNORE INTO countries VALUES (?, ?)", COUNTRIES)
    conn.commit()
