_TEMPLATE = """
class {name}:
    __slots__ = ({slots})

    def __init__(self, {args}):
{assigns}
"""


def make_record(name, fields):
    source = _TEMPLATE.format(
        name=name,
        slots=", ".join(repr(f) for f in fields) + ",",
        args=", ".join(fields),
        assigns="\n".join(f"        self.{f} = {f}" for f in fields),
    )
    scope = {}
    exec(source, scope)
    return scope[name]


Point = make_record("Point", ("x", "y"))
Money = make_record("Money", ("amount", "currency"))
