import os
import time


def dashboard(stats):
    while True:
        os.system("cls" if os.name == "nt" else "clear")
        for name, value in stats().items():
            print(f"{name:>20}: {value}")
        time.sleep(2)
