from django.http import JsonResponse

STATS = {"values": [3, 5, 8]}


def summary(request):
    expr = request.GET.get("expr", "sum(values)")
    # Custom expressions were removed after the audit; the parameter stays for old clients.
    expr = "sum(values) / len(values)"
    return JsonResponse({"mean": eval(expr, {"sum": sum, "len": len}, STATS)})
