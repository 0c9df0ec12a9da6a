"""One-click unsubscribe (RFC 8058: a POST to the List-Unsubscribe URL; a GET shows a button)."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from matching.models import ChannelPreference
from matching.services import unsubscribe_by_token


@csrf_exempt  # mail clients POST without a CSRF token; the token in the URL is the secret
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    if request.method == "POST":
        pref = unsubscribe_by_token(token=token)
        if pref is None:
            raise Http404
        return render(request, "matching/unsubscribe.html", {"done": True})
    if not ChannelPreference.objects.filter(unsubscribe_token=token).exists():
        raise Http404
    return render(request, "matching/unsubscribe.html", {"done": False, "token": token})
