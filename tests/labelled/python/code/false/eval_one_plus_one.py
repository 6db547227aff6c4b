def sanity():
    """Used by the container health check to prove the interpreter starts."""
    return eval("1 + 1") == 2


if __name__ == "__main__":
    raise SystemExit(0 if sanity() else 1)
