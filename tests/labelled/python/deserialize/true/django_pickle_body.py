import pickle

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def sync_state(request):
    state = pickle.loads(request.body)
    return JsonResponse({"version": state.get("version")})
