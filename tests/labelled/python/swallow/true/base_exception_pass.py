import atexit

from .metrics import flush


@atexit.register
def flush_metrics():
    try:
        flush()
    except BaseException:
        pass
