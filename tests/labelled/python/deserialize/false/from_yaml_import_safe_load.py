from yaml import safe_load

from django.http import JsonResponse


def import_fixture(request):
    document = safe_load(request.body)
    return JsonResponse({"objects": len(document)})
