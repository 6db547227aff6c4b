#!/usr/bin/env python3
import os
import sys


def cleanup(tenant):
    os.system("rm -rf /var/cache/app/" + tenant)
    os.system("redis-cli DEL cache:" + tenant)


if __name__ == "__main__":
    cleanup(sys.argv[1])
