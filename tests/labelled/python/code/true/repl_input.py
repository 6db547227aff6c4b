"""A tiny calculator shell for the support team."""
import math

namespace = {"math": math}

while True:
    line = input("calc> ")
    if line in ("quit", "exit"):
        break
    print(eval(line, namespace))
