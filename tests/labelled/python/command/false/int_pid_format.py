import os

from django.http import JsonResponse


def reload_worker(request):
    pid = int(request.POST["pid"])
    rc = os.system("kill -HUP {}".format(pid))
    return JsonResponse({"rc": rc})
