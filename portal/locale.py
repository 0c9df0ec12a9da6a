"""Simplified Chinese by default: the pages follow the language the visitor chose with the
switch (the ``django_language`` cookie), not the browser's Accept-Language, so a city portal
opened in an English-language browser still speaks Chinese until asked. The API keeps
honouring ``Accept-Language`` (integrators ask for English errors that way)."""

from django.middleware.locale import LocaleMiddleware


class PortalLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        if not request.path_info.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return super().process_request(request)
