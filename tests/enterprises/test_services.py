from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from enterprises.models import Enterprise, IndicatorValue
from enterprises.reference import credit_code_make, org_code_check_char
from enterprises.services import (
    enterprise_bulk_upsert,
    enterprise_tag_remove,
    enterprise_tag_set,
    enterprise_tags_set,
    enterprise_upsert,
    indicator_values_set,
)
from tests.factories.enterprises import credit_code

pytestmark = pytest.mark.django_db


def _data(n=1, **extra):
    data = {"credit_code": credit_code(n), "name": f"郑州测试{n}有限公司", "district": "金水区", "industry": "3411",
            "indicators": {"employees": {"2024": 500}, "revenue": {"2024": "30000000"}}}  # fmt: skip
    data.update(extra)
    return data


def test_upsert_creates_a_normalised_enterprise_with_derived_fields(rematched):
    # when
    enterprise = enterprise_upsert(data=_data(zone="郑东新区", established_on="2020/5/1",
                                              tags=["高新技术企业"], registered_capital="500万"), source="test")  # fmt: skip
    # then
    assert enterprise.district == "410105" and enterprise.zone == "4101ZD" and enterprise.industry == "C3411"
    assert enterprise.entity_type == "enterprise" and enterprise.needs_review is False
    assert enterprise.established_on == date(2020, 5, 1)
    assert enterprise.registered_capital == Decimal("5000000")
    assert enterprise.scale == "medium"  # 工业: 500 people, 3000万 revenue
    assert list(enterprise.tags.values_list("tag__name", flat=True)) == ["高新技术企业"]
    value = IndicatorValue.objects.get(enterprise=enterprise, indicator__code="revenue")
    assert value.period_start == date(2024, 1, 1) and value.period_end == date(2024, 12, 31)
    assert value.source == "test" and value.as_of is not None
    assert rematched == [[enterprise.id]]


def test_upsert_of_the_same_data_changes_nothing_and_rematches_nobody(rematched):
    enterprise = enterprise_upsert(data=_data(tags=["高新技术企业"]), source="test")
    before = Enterprise.objects.get(pk=enterprise.pk).updated_at
    rematched.clear()
    # when the same record comes again
    enterprise_upsert(data=_data(tags=["高新技术企业"]), source="test")
    # then
    assert Enterprise.objects.get(pk=enterprise.pk).updated_at == before
    assert rematched == []


def test_scale_is_recomputed_when_industry_or_latest_values_change(rematched):
    enterprise = enterprise_upsert(data=_data(), source="test")
    assert enterprise.scale == "medium"
    # industry → software: 500 people, 3000万 → medium as well; with 2025 revenue 30万 → micro
    enterprise = enterprise_upsert(
        data={"credit_code": enterprise.credit_code, "industry": "I6513"}, source="t"
    )
    assert enterprise.scale == "medium"
    indicator_values_set(values=[{"credit_code": enterprise.credit_code, "code": "revenue", "period": "2025",
                                  "value": "300000"}], source="t")  # fmt: skip
    enterprise.refresh_from_db()
    assert enterprise.scale == "micro"
    # an industry the table does not cover → unknown
    enterprise = enterprise_upsert(
        data={"credit_code": enterprise.credit_code, "industry": "J6621"}, source="t"
    )
    assert enterprise.scale is None


def test_partial_update_keeps_the_fields_it_does_not_mention(rematched):
    enterprise = enterprise_upsert(data=_data(address="金水路1号"), source="test")
    enterprise_upsert(data={"credit_code": enterprise.credit_code, "name": "新名称"}, source="test")
    enterprise.refresh_from_db()
    assert (
        enterprise.name == "新名称" and enterprise.address == "金水路1号" and enterprise.industry == "C3411"
    )


def test_org_code_mismatch_flags_the_record_for_review(rematched):
    body = "MA77777K"
    wrong = "0" if org_code_check_char(body) != "0" else "1"
    code = credit_code_make("91410105" + body + wrong)
    enterprise = enterprise_upsert(data=_data(credit_code=code), source="test")
    assert enterprise.needs_review is True and "第17位" in enterprise.review_reason


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [({"credit_code": "91410105MA00000010"}, "credit_code", "校验位"),
     ({"district": "火星区"}, "district", "未知的行政区划"),
     ({"zone": "金水区"}, "zone", "未知的功能区"),
     ({"industry": "C6513"}, "industry", "不符"),
     ({"established_on": "2020-13-45"}, "established_on", "无法识别"),
     ({"registered_capital": "-1"}, "registered_capital", "不能为负数"),
     ({"contact_email": "not-an-email"}, "contact_email", "邮箱"),
     ({"tags": ["高薪技术企业"]}, "tags", "未知的资质标签"),
     ({"tags": [{"name": "高新技术企业", "recognized_on": "去年"}]}, "tags", "无法识别"),
     ({"indicators": {"revenue": {"2024": "-5"}}}, "indicators.revenue.2024", "不能为负数"),
     ({"indicators": {"revenue": {"2024": "很多"}}}, "indicators.revenue.2024", "应为数字"),
     ({"indicators": {"profit": {"2024": "5"}}}, "indicators.profit.2024", "未知的指标代码"),
     ({"indicators": {"employees": {"2024Q1": "5"}}}, "indicators.employees.2024Q1", "年度")],
)  # fmt: skip
def test_bad_input_is_rejected_by_field_with_a_chinese_reason_and_nothing_changes(
    rematched, change, field, reason
):
    with pytest.raises(ValidationError) as exc:
        enterprise_upsert(data=_data(**change), source="test")
    assert reason in " ".join(exc.value.message_dict[field])
    assert Enterprise.objects.count() == 0 and IndicatorValue.objects.count() == 0
    assert rematched == []


def test_a_new_enterprise_needs_name_and_district(rematched):
    with pytest.raises(ValidationError) as exc:
        enterprise_upsert(data={"credit_code": credit_code(5)}, source="test")
    assert set(exc.value.message_dict) == {"name", "district"}


def test_bulk_upsert_is_all_or_nothing_with_errors_by_row_and_field(rematched):
    rows = [_data(1), _data(2, district="火星区"), _data(3), _data(4, indicators={"revenue": {"2024": "-1"}})]
    result = enterprise_bulk_upsert(rows=rows, source="test")
    assert not result.ok
    assert set(result.errors) == {1, 3}
    assert "未知的行政区划" in result.errors[1]["district"][0]
    assert "不能为负数" in result.errors[3]["indicators.revenue.2024"][0]
    assert Enterprise.objects.count() == 0
    assert rematched == []


def test_bulk_upsert_reports_duplicates_and_counts_outcomes(rematched):
    result = enterprise_bulk_upsert(rows=[_data(1), _data(1)], source="test")
    assert result.errors == {1: {"credit_code": [f"统一社会信用代码与第1条重复：{credit_code(1)}"]}}
    first = enterprise_bulk_upsert(rows=[_data(1), _data(2)], source="test")
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    again = enterprise_bulk_upsert(rows=[_data(1), _data(2, name="改名")], source="test")
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert rematched[-1] == [Enterprise.objects.get(credit_code=credit_code(2)).id]


def test_indicator_values_set_rejects_unknown_enterprises_and_codes(rematched):
    enterprise = enterprise_upsert(data=_data(), source="test")
    with pytest.raises(ValidationError) as exc:
        indicator_values_set(values=[{"credit_code": credit_code(99), "code": "revenue", "period": "2024", "value": 1},
                                     {"enterprise_id": enterprise.id, "code": "nope", "period": "2024", "value": 1}],
                             source="t")  # fmt: skip
    assert set(exc.value.message_dict) == {"0.enterprise", "1.value"}
    assert indicator_values_set(values=[{"enterprise_id": enterprise.id, "code": "tax_paid", "period": "2024",
                                         "value": "12.5", "as_of": "2025-03-01"}], source="税务")  # fmt: skip
    value = IndicatorValue.objects.get(indicator__code="tax_paid")
    assert value.value == Decimal("12.5") and value.as_of == date(2025, 3, 1) and value.source == "税务"


def test_tags_can_be_replaced_added_and_removed(rematched):
    enterprise = enterprise_upsert(data=_data(tags=["高新技术企业", "科技型中小企业"]), source="test")
    enterprise_tags_set(enterprise=enterprise, tags=[{"name": "专精特新“小巨人”企业", "recognized_on": "2024-07-01",
                                                      "first_time": "是"}])  # fmt: skip
    assert list(enterprise.tags.values_list("tag__name", "first_time")) == [('专精特新"小巨人"企业', True)]
    enterprise_tag_set(enterprise=enterprise, name="瞪羚企业", recognized_on=date(2025, 1, 1))
    assert set(enterprise.tags.values_list("tag__name", flat=True)) == {'专精特新"小巨人"企业', "瞪羚企业"}
    assert enterprise_tag_remove(enterprise=enterprise, name="瞪羚企业")
    with pytest.raises(ValidationError, match="未知的资质标签"):
        enterprise_tags_set(enterprise=enterprise, tags=["不存在的标签"])
    assert enterprise.tags.count() == 1


def test_a_profile_change_reaches_the_real_matching_pipeline(django_capture_on_commit_callbacks):
    # given the pipeline's own scheduler (no stand-in): it records the enterprise to re-match
    from matching.models import RematchRequest

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enterprise = enterprise_upsert(data=_data(), source="test")
    # then the enterprise is queued for re-matching and a task waits for the commit
    assert RematchRequest.objects.filter(enterprise_id=enterprise.id).exists()
    assert callbacks


def test_text_with_backslashes_tabs_and_newlines_round_trips(rematched):
    address = "金水路\\1号\t2楼\n东门"
    enterprise = enterprise_upsert(data=_data(address=address), source="te\\st")
    assert Enterprise.objects.get(pk=enterprise.pk).address == address


def test_a_service_write_by_a_person_leaves_an_audit_entry(rematched, django_user_model):
    from auditlog.models import LogEntry

    actor = django_user_model.objects.create_user(username="clerk", password="x-Demo-2026-zz")
    enterprise = enterprise_upsert(data=_data(), source="API", actor=actor)
    entry = LogEntry.objects.get_for_object(enterprise).get()
    assert entry.actor == actor and entry.action == LogEntry.Action.CREATE
