from os import system

from django.http import JsonResponse


def restart_worker(request):
    worker = request.POST["worker"]
    rc = system("supervisorctl restart " + worker)
    return JsonResponse({"rc": rc})
