import contextlib
import os


def clear_lock(path):
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
