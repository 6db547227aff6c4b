#!/usr/bin/env python3
import os
import shlex
import sys


def main():
    repo = shlex.quote(sys.argv[1])
    os.system(f"git -C {repo} fetch --all --prune && git -C {repo} gc --auto")


if __name__ == "__main__":
    main()
