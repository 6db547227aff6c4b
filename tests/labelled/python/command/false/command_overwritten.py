import os

from django.http import JsonResponse


def health(request):
    probe = request.GET.get("probe", "uptime")
    # Only one probe is supported since the agent rewrite; the parameter stays for old monitors.
    probe = "uptime"
    with os.popen(probe) as pipe:
        return JsonResponse({"probe": probe, "output": pipe.read().strip()})
