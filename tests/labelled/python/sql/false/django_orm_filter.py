from django.contrib.auth.models import User
from django.http import JsonResponse


def lookup_user(request):
    username = request.GET["username"]
    users = User.objects.filter(username=username).values("id", "email")
    return JsonResponse({"users": list(users)})
