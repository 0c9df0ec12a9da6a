import pytest
from django.core.management import call_command

from appeals.models import Case, CaseStatus

pytestmark = pytest.mark.django_db


def test_the_demo_city_has_cases_in_every_state_and_loads_once(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    call_command("load_demo_city", enterprises=300)
    first = Case.objects.count()
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {CaseStatus.SUBMITTED, CaseStatus.ANSWERED, CaseStatus.CLOSED} <= statuses
    assert Case.objects.filter(raised_by__username="enterprise", status=CaseStatus.ANSWERED).exists()
    call_command("load_demo_city", enterprises=300)
    assert Case.objects.count() == first
