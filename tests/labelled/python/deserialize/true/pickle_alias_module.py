import pickle as pk

from django.http import HttpResponse


def restore(request):
    snapshot = pk.loads(bytes.fromhex(request.POST["snapshot"]))
    return HttpResponse(f"restored {len(snapshot)} entries")
