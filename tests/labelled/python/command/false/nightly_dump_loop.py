import datetime
import os

DATABASES = ["orders", "users", "inventory"]


def nightly_dump():
    stamp = datetime.date.today().isoformat()
    for db in DATABASES:
        os.system(f"pg_dump {db} | gzip > /backups/{db}-" + stamp + ".sql.gz")
