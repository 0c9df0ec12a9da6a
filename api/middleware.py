"""The one place that keeps every answer under ``/api/`` JSON, whatever went wrong and in
whichever layer (DESIGN §6: errors in one shape, in the caller's language):

- refused before any view runs: a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413,
  with the limit), a malformed ``Content-Length``, a NUL character in the path (404: no
  resource is named so) or in a query parameter (400, keyed by the parameter), a query
  string Django refuses (too many fields);
- an exception no view handled: logged as Django logs it, answered as a JSON 500 (never the
  debug page, never a traceback);
- any other error answer that is not JSON (Django's own 404/405/400 pages, a middleware's
  refusal) is replaced by ``{"detail": …}`` with the same status.

Sits after the locale middleware, so every text is in the caller's language
(``Accept-Language``; Chinese by default)."""

from __future__ import annotations

from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import JsonResponse
from django.utils.log import log_response
from django.utils.translation import gettext as _

from api.v1.common.parsers import text_problem

API_PREFIX = "/api/"

# The portal's words for the statuses an answer may be rebuilt with (others keep the HTTP phrase).
_DETAILS = {
    400: lambda: _("请求无效。"),
    403: lambda: _("无权执行此操作。"),
    404: lambda: _("未找到。"),
    405: lambda: _("不支持该请求方法。"),
    406: lambda: _("无法按 Accept 头给出的格式应答。"),
    413: lambda: _("请求体过大。"),
    415: lambda: _("不支持的内容类型。"),
    500: lambda: _("服务器内部错误，请稍后再试。"),
}


def _is_json(response) -> bool:
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return content_type == "application/json" or content_type.endswith("+json")


def _detail(status: int, reason: str = "") -> str:
    make = _DETAILS.get(status)
    return str(make()) if make else reason


def _too_large() -> JsonResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return JsonResponse(
        {
            "detail": _("请求体过大：上限 %(mb)d MB(%(bytes)d 字节)。")
            % {"mb": limit // (1024 * 1024), "bytes": limit},
            "limit": limit,
        },
        status=413,
    )


def _refusal_before_view(request) -> JsonResponse | None:
    raw_length = request.META.get("CONTENT_LENGTH") or "0"
    try:
        length = int(raw_length)
    except ValueError:
        length = -1
    if length < 0:
        return JsonResponse({"detail": _("Content-Length 请求头应为非负整数。")}, status=400)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and length > limit:
        return _too_large()
    if text_problem(request.path_info):
        return JsonResponse({"detail": _detail(404)}, status=404)
    try:
        params = request.GET
    except SuspiciousOperation:
        return JsonResponse({"detail": _("查询参数过多或格式不正确。")}, status=400)
    problems = {}
    for name, values in params.lists():
        for value in [name, *values]:
            problem = text_problem(value)
            if problem:
                problems.setdefault(name.replace("\x00", "\\u0000"), []).append(problem)
                break
    if problems:
        return JsonResponse(problems, status=400)
    return None


class ApiJsonMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        refusal = _refusal_before_view(request)
        if refusal is not None:
            return refusal
        response = self.get_response(request)
        if response.status_code >= 400 and not _is_json(response):
            replacement = JsonResponse(
                {"detail": _detail(response.status_code, response.reason_phrase)}, status=response.status_code
            )
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    replacement[header] = response[header]
            response.close()
            response = replacement
        return response

    def process_exception(self, request, exception):
        """What no view handled: the body too large (read lazily, so known only now), another
        refusal Django raises as SuspiciousOperation, or a bug (logged, answered as a JSON 500)."""
        if not request.path_info.startswith(API_PREFIX):
            return None
        if isinstance(exception, RequestDataTooBig):
            return _too_large()
        if isinstance(exception, TooManyFieldsSent | SuspiciousOperation):
            return JsonResponse({"detail": _detail(400)}, status=400)
        # As Django's own handler does: tell listeners (the test client re-raises), then log.
        signals.got_request_exception.send(sender=None, request=request)
        response = JsonResponse({"detail": _detail(500)}, status=500)
        log_response(
            "%s: %s",
            response.reason_phrase,
            request.path,
            response=response,
            request=request,
            exception=exception,
        )
        return response
