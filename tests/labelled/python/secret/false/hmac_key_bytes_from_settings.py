import hashlib
import hmac

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden


def stripe_webhook(request):
    signature = request.headers.get("Stripe-Signature", "")
    key = settings.STRIPE_WEBHOOK_SECRET.encode()
    expected = hmac.new(key, request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return HttpResponseForbidden()
    return HttpResponse(status=204)
