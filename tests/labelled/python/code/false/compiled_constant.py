import timeit

SETUP = "data = list(range(1000))"
STATEMENT = compile("sorted(data, reverse=True)", "<bench>", "eval")


def bench():
    scope = {}
    exec(SETUP, scope)
    return timeit.timeit(lambda: eval(STATEMENT, scope), number=1000)
