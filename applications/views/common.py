"""What the pages of the applications app share: a service's refusal shown message by message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404


def errors_of(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"__all__": exc.messages}


def flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    for messages_ in errors_of(exc).values():
        for message in messages_:
            messages.error(request, message)


def service_call(request: HttpRequest, call: Callable[[], Any], *, done: str | Callable[[Any], str]) -> bool:
    """Run the service a posted form asks for: its refusal is flashed, else ``done`` (a text,
    or a function of the service's result). True when it was done."""
    try:
        result = call()
    except ValidationError as exc:
        flash_errors(request, exc)
        return False
    messages.success(request, done(result) if callable(done) else done)
    return True


def visible_or_404(
    request: HttpRequest, queryset: QuerySet, pk: int, may_view: Callable[[Any, Any], bool]
) -> Model:
    """The row, when the user may see it (``applications.access``); else 404, as if absent."""
    item = get_object_or_404(queryset, pk=pk)
    if not may_view(request.user, item):
        raise Http404
    return item
