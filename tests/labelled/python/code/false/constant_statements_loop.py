"""Warm up import caches before forking workers."""

WARMUP = (
    "import json",
    "import decimal",
    "import email.utils",
)


def warm_up():
    scope = {}
    for statement in WARMUP:
        exec(statement, scope)
