import subprocess

from django.http import FileResponse


def download_report(request):
    year = request.GET["year"]
    target = f"/srv/reports/{year}.pdf"
    render = f"wkhtmltopdf https://intranet/reports/{year} {target}"
    subprocess.check_call(render, shell=True)
    return FileResponse(open(target, "rb"))
