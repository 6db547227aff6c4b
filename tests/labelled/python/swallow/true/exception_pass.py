from .mail import send_receipt


def complete_order(order):
    order.status = "paid"
    order.save()
    try:
        send_receipt(order)
    except Exception:
        pass
    return order
