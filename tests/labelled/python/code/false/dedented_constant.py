import textwrap

PATCH = textwrap.dedent(
    """
    def __repr__(self):
        return f"<{type(self).__name__} {self.id}>"
    """
)


def add_repr(cls):
    scope = {}
    exec(PATCH, scope)
    cls.__repr__ = scope["__repr__"]
    return cls
