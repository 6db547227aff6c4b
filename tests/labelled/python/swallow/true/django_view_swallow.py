from django.http import JsonResponse

from .models import Profile


def update_avatar(request):
    try:
        profile = Profile.objects.get(user=request.user)
        profile.avatar = request.FILES["avatar"]
        profile.save()
    except:
        pass
    return JsonResponse({"ok": True})
