def lookup_rate(rates, currency):
    try:
        return rates[currency]
    except KeyError:
        return rates["EUR"]
