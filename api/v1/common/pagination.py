"""Page-number pagination with strict parameters (a bad ``page`` or ``page_size`` is a 400),
declared in the schema with their limits."""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from policies.search import TotalPaginator


def _positive_integer(raw: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts "²", which ``int`` refuses."""
    return raw.isascii() and raw.isdigit() and int(raw) >= 1


class Pagination(PageNumberPagination):
    page_size = 20
    # Takes the count from a ``search_total`` window annotation when there is one (policy search).
    django_paginator_class = TotalPaginator
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and raw != "last" and not _positive_integer(raw):
            raise ValidationError({"page": [_("页码应为正整数。")]})
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not _positive_integer(raw) or int(raw) > self.max_page_size:
            raise ValidationError(
                {"page_size": [_("每页条数应为 1 到 %(max)d 之间的整数。") % {"max": self.max_page_size}]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "页码，从 1 开始(超出末页时 404)",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"每页条数，1 到 {self.max_page_size}，默认 {self.page_size}",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
