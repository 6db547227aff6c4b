import shelve

CACHE_FILE = "/var/cache/geo/lookup"


def country_for(ip, resolve):
    with shelve.open(CACHE_FILE) as db:
        if ip not in db:
            db[ip] = resolve(ip)
        return db[ip]
