"""A small order service, used by scripts/demo: `keel complete` writes the body of
order_total, and `keel check` finds the backend mistakes left in the rest on purpose."""

import requests
import yaml


def load_settings(path):
    with open(path) as handle:
        return yaml.load(handle)


def fetch_order(order_id):
    return requests.get(f"https://orders.internal/api/orders/{order_id}")


def order_total(items):
    
