import os
import datetime

BACKUP_DIR = "/var/backups/app"
DATA_DIR = "/var/lib/app"


def nightly_backup():
    os.makedirs(BACKUP_DIR, exist_ok=True)
    os.system(f"tar czf {BACKUP_DIR}/data.tgz {DATA_DIR}")
    print("backup done", datetime.date.today())
