"""Errors in one shape: 400 ``{"field": ["message", …]}`` (Chinese unless the client asks for
English), ``{"detail": …}`` for 401/403/404/429 (429 with ``Retry-After``)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from matching.criteria import CriteriaError


def django_validation_detail(exc: DjangoValidationError) -> dict | list:
    if hasattr(exc, "error_dict"):
        out = {}
        for field, errors in exc.message_dict.items():
            out["non_field_errors" if field == "__all__" else field] = list(errors)
        return out
    return {"non_field_errors": list(exc.messages)}


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(django_validation_detail(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        # A service's refusal says why (publish_refusal, …); keep its words.
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, CriteriaError):
        exc = exceptions.ValidationError(
            {"criteria": [f"{e.get('path', '')}: {e.get('message', '')}" for e in exc.errors]}
        )
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = _in_callers_language(response.data)
    if response is not None and isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        response["Retry-After"] = str(max(1, int(exc.wait + 0.999)))
    return response


# DRF texts that it does not mark for translation, in the portal's words.
_UNTRANSLATED = {"No data provided": lambda: _("未提供数据。")}


def _in_callers_language(data):
    """The error answer with DRF's untranslated texts replaced (kept as ErrorDetail, code and all)."""
    if isinstance(data, dict):
        return {key: _in_callers_language(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_in_callers_language(value) for value in data]
    if isinstance(data, str) and str(data) in _UNTRANSLATED:
        return exceptions.ErrorDetail(_UNTRANSLATED[str(data)](), code=getattr(data, "code", None))
    return data
