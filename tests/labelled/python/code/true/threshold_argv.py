import json
import sys


def main():
    threshold = eval(sys.argv[1])
    with open("scores.json") as fh:
        scores = json.load(fh)
    print([name for name, score in scores.items() if score > threshold])


if __name__ == "__main__":
    main()
