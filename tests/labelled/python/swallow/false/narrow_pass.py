import os


def remove_stale_pidfile(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
