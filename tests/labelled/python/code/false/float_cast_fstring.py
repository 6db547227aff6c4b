from django.http import JsonResponse


def convert(request):
    inches = float(request.GET["inches"])
    return JsonResponse({"cm": eval(f"{inches} * 2.54")})
