import stripe

stripe.api_key = "sk_live_51HxQ2cKd8Zr3mT9vLpWbN4aYe"


def charge(customer_id, cents):
    return stripe.PaymentIntent.create(amount=cents, currency="eur", customer=customer_id)
