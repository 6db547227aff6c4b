import logging

from .mail import send_receipt

logger = logging.getLogger(__name__)


def complete_order(order):
    order.status = "paid"
    order.save()
    try:
        send_receipt(order)
    except Exception:
        logger.exception("receipt for order %s failed", order.id)
    return order
