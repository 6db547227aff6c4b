from django.http import JsonResponse


def scale(request):
    n = request.GET["n"]
    return JsonResponse({"scaled": eval("%s * 2.54" % n)})
