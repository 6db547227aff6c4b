import subprocess

from django.http import FileResponse


def export_archive(request):
    name = request.POST["name"]
    subprocess.call("tar czf /tmp/%s.tgz /srv/exports/%s" % (name, name), shell=True)
    return FileResponse(open(f"/tmp/{name}.tgz", "rb"))
