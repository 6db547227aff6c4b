"""A small order service, used by scripts/demo: `keel complete` fills in a function body
and `keel check` finds the backend mistakes left in it on purpose."""

import requests
import yaml


def load_settings(path):
    with open(path) as handle:
        return yaml.load(handle)


def fetch_order(order_id):
    return requests.get(f"https://orders.internal/api/orders/{order_id}")


def order_total(items: list[dict]) -> float:
    """Return the sum of price * quantity over all items."""
    
