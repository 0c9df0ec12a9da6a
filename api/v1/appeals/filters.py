from api.v1.common.filters import StrictFilterSet
from appeals.models import Case


class CaseFilter(StrictFilterSet):
    """Status, category and kind: a value outside the choices, or an empty one, is a 400."""

    class Meta:
        model = Case
        fields = ["status", "category", "kind"]
