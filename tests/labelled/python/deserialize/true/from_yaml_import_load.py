from yaml import FullLoader, load

from django.http import JsonResponse


def import_fixture(request):
    document = load(request.body, Loader=FullLoader)
    return JsonResponse({"objects": len(document)})
