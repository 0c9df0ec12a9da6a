"""Officials' in-app messages (escalations, reminders, bad ratings). Enterprise users read theirs
in the portal's inbox, beside the policy pushes."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .services import message_mark_read, messages_for


@login_required
def message_list(request):
    page = Paginator(messages_for(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "inbox/list.html", {"page": page})


@login_required
@require_POST
def message_read(request, pk: int):
    message_mark_read(user=request.user, message_id=pk)
    message = messages_for(user=request.user).filter(pk=pk).first()
    target = message.link if message and message.link.startswith("/") else "inbox:list"
    return redirect(target)
