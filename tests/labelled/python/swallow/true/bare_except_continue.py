import csv


def load_prices(path):
    prices = {}
    with open(path) as fh:
        for row in csv.DictReader(fh):
            try:
                prices[row["sku"]] = float(row["price"])
            except:
                continue
    return prices
