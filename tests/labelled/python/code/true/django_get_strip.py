from django.http import HttpResponse


def render_number(request):
    expr = request.GET.get("n", "0").strip()
    number = eval(expr)
    return HttpResponse(f"{number:,}")
