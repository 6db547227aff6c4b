import sys


def main():
    exponent = int(sys.argv[1])
    print(eval(f"2 ** {exponent}"))


if __name__ == "__main__":
    main()
