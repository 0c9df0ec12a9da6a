import pytest

from enterprises import demo
from enterprises.models import Enterprise, EnterpriseTag, IndicatorValue

pytestmark = pytest.mark.django_db


def test_demo_load_is_idempotent_and_includes_the_demo_enterprise():
    # when
    first = demo.load(enterprises=80, seed=1)
    stamps = set(Enterprise.objects.values_list("id", "updated_at"))
    second = demo.load(enterprises=80, seed=1)
    # then
    assert "新增 80" in first and "未改动" in second
    assert set(Enterprise.objects.values_list("id", "updated_at")) == stamps
    zs = Enterprise.objects.get(credit_code=demo.DEMO_ENTERPRISE_CREDIT_CODE)
    assert zs.name == "郑州智算科技有限公司" and zs.zone == "410172" and zs.scale == "medium"
    assert set(zs.tags.values_list("tag__name", flat=True)) >= {"高新技术企业", "专精特新中小企业"}
    assert IndicatorValue.objects.filter(enterprise=zs, indicator__code="rd_expense").count() == 3


def test_demo_registry_holds_enterprises_typical_policies_look_for():
    demo.load(enterprises=200, seed=3)
    hightech = EnterpriseTag.objects.filter(tag__name="高新技术企业", enterprise__district="410105")
    assert hightech.exists()
    assert IndicatorValue.objects.filter(
        indicator__code="rd_expense", enterprise__in=hightech.values("enterprise")
    ).exists()
    assert Enterprise.objects.filter(
        zone="410171", industry__startswith="C", scale__in=["medium", "large"]
    ).exists()
    assert Enterprise.objects.filter(zone="410173", scale="small").exists()
    assert Enterprise.objects.values("industry").distinct().count() > 20
