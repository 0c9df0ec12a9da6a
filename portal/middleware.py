"""Middleware of the whole site (the API's own is ``api.middleware``)."""

from __future__ import annotations


class HeadAsGetMiddleware:
    """``HEAD`` wherever ``GET`` is allowed (RFC 9110 §9.3.2): the request is served as a
    ``GET`` and its body dropped, headers (``Content-Length``, ``Content-Type``, caching)
    kept. One place, so that no page's ``require_GET`` or method list has to mention it; a
    view that answers ``GET`` with 405 answers ``HEAD`` with 405 too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "HEAD":
            return self.get_response(request)
        request.method = "GET"
        request.META["REQUEST_METHOD"] = "GET"
        response = self.get_response(request)
        request.method = "HEAD"
        request.META["REQUEST_METHOD"] = "HEAD"
        if response.streaming:
            response.streaming_content = []
        else:
            length = len(response.content)
            response.content = b""
            if not response.has_header("Content-Length") or response["Content-Length"] == "0":
                response["Content-Length"] = str(length)
        return response
