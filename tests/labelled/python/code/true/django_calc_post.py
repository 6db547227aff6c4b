from django.http import JsonResponse
from django.views.decorators.http import require_POST


@require_POST
def calculate(request):
    expr = request.POST.get("expr", "0")
    result = eval(expr, {"__builtins__": {}}, {})
    return JsonResponse({"result": result})
