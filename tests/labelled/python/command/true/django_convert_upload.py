import os

from django.conf import settings
from django.http import JsonResponse


def resize(request):
    filename = request.POST["file"]
    width = request.POST.get("width", "800")
    src = os.path.join(settings.MEDIA_ROOT, filename)
    os.system("convert %s -resize %sx %s" % (src, width, src))
    return JsonResponse({"resized": filename})
