import os
from shlex import quote

from django.conf import settings
from django.http import JsonResponse


def resize(request):
    filename = os.path.basename(request.POST["file"])
    src = quote(os.path.join(settings.MEDIA_ROOT, filename))
    os.system("convert %s -resize 800x %s" % (src, src))
    return JsonResponse({"resized": filename})
