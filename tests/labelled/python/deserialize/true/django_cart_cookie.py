import base64
import pickle

from django.http import JsonResponse


def cart(request):
    raw = request.COOKIES.get("cart", "")
    items = pickle.loads(base64.b64decode(raw)) if raw else []
    return JsonResponse({"items": items})
