import subprocess as sp

from django.http import HttpResponse


def list_dir(request):
    folder = request.GET.get("folder", "")
    out = sp.run(["ls", "-l", "--", folder], cwd="/srv/share", capture_output=True, text=True)
    return HttpResponse(out.stdout, content_type="text/plain")
