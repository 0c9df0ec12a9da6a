"""Demo liaison: the demo official leads the demo enterprise and a few dozen others. Idempotent."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from enterprises.models import Enterprise

from .models import Assignment, AssignmentRole, Visit

DEMO_LOGINS: list[tuple[str, str, str]] = []  # it uses the accounts' demo official


@transaction.atomic
def load(*, enterprises: int = 0, seed: int = 0) -> str:
    User = get_user_model()
    official = User.objects.filter(username="official").first()
    enterprise_user = User.objects.filter(username="enterprise").first()
    if official is None or Assignment.objects.exists():
        return f"{Assignment.objects.count()} assignments"
    targets = []
    if enterprise_user and enterprise_user.enterprise_id:
        targets.append(enterprise_user.enterprise_id)
    targets += list(
        Enterprise.objects.exclude(pk__in=targets).order_by("id").values_list("id", flat=True)[:40]
    )
    Assignment.objects.bulk_create(
        [Assignment(enterprise_id=pk, official=official, role=AssignmentRole.LEAD) for pk in targets]
    )
    if targets:
        visit = Visit.objects.create(
            enterprise_id=targets[0],
            visited_on=timezone.localdate() - dt.timedelta(days=14),
            discussed="了解企业研发投入和扩产计划；企业反映科技贷款放款慢，已登记诉求。",
            recorded_by=official,
        )
        visit.officials.add(official)
    return f"{len(targets)} enterprises assigned to the demo official"
