import subprocess as sp

from django.http import HttpResponse


def dns_lookup(request):
    domain = request.GET.get("domain", "")
    out = sp.check_output("nslookup " + domain, shell=True, text=True)
    return HttpResponse(out, content_type="text/plain")
