import datetime as dt

import pytest
from django.utils import timezone

from policies import demo
from policies.models import Policy, PolicyStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_matching(monkeypatch):
    monkeypatch.setattr("policies.services._schedule_matching", lambda **kw: None)


def test_demo_library_is_realistic_and_published_through_the_workflow():
    # when
    summary = demo.load(enterprises=0, seed=1)
    # then
    assert "36 policies created" in summary
    published = Policy.objects.filter(status=PolicyStatus.PUBLISHED)
    assert published.count() >= 30
    assert Policy.objects.filter(status=PolicyStatus.EXPIRED).count() == 2
    today = timezone.localdate()
    for policy in published:
        assert policy.source_name and policy.doc_number, policy.title
        assert policy.interpretations.exists(), policy.title
        assert policy.materials.exists(), policy.title
        assert [v.comment for v in policy.versions.order_by("number")] == ["创建草稿", "提交审核", "审核发布"]
        assert policy.published_by.username == demo.REVIEWER and policy.created_by.username == demo.DRAFTER
    assert published.filter(auto_grant=True).count() >= 3
    assert published.exclude(exclusive_group="").values("exclusive_group").distinct().count() >= 2
    closing = published.filter(apply_end__gte=today, apply_end__lte=today + dt.timedelta(days=30)).count()
    assert closing >= 5
    assert published.filter(apply_end__lt=today).count() >= 2
    assert published.filter(materials__from_shared_data=True).distinct().count() >= 20
    codes = set(published.values_list("department__code", flat=True))
    assert {"zz-gxj", "zz-kjj", "zz-rsj", "zz-hkg", "zz-swj"} <= codes


def test_demo_load_is_idempotent():
    demo.load(enterprises=0, seed=1)
    count = Policy.objects.count()
    summary = demo.load(enterprises=0, seed=1)
    assert Policy.objects.count() == count
    assert "0 policies created" in summary
