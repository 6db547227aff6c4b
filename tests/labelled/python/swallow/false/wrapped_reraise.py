import requests


class PaymentError(Exception):
    pass


def capture(payment_id):
    try:
        response = requests.post(f"https://pay.example.com/{payment_id}/capture", timeout=10)
        response.raise_for_status()
    except Exception as exc:
        raise PaymentError(f"capture of {payment_id} failed") from exc
