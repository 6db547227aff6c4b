import sys

import sqlite3


def sample(db_path, count):
    conn = sqlite3.connect(db_path)
    sql = "SELECT * FROM measurements ORDER BY random() LIMIT {}".format(int(count))
    return conn.execute(sql).fetchall()


if __name__ == "__main__":
    for row in sample("measurements.db", sys.argv[1]):
        print(row)
