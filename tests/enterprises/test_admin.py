import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from enterprises.models import Enterprise, IndicatorDefinition, IndicatorValue
from tests.factories.enterprises import EnterpriseFactory, EnterpriseTagFactory, credit_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def official(client):
    user = get_user_model().objects.create_user(
        username="registrar", password="Demo-2026-zz-long", is_staff=True
    )
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="enterprises").exclude(
        codename="view_personal_data"))  # fmt: skip
    client.force_login(user)
    return user


@pytest.fixture
def privileged(official):
    official.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    return official


def test_changelist_filters_and_search(client, official):
    a = EnterpriseFactory(name="郑州甲科技有限公司", district="410105", zone="410172", industry="I6513")
    EnterpriseFactory(name="郑州乙制造有限公司", district="410122", zone="410171", industry="C3411")
    EnterpriseTagFactory(enterprise=a)
    url = "/admin/enterprises/enterprise/"
    for query in ["", "?district=410105", "?zone=410172", "?zone=none", "?section=I", "?scale__exact=small",
                  f"?tag={a.tags.get().tag_id}", "?needs_review__exact=1", "?q=甲科技", f"?q={a.credit_code}"]:  # fmt: skip
        response = client.get(url + query)
        assert response.status_code == 200, query
    assert "郑州甲科技有限公司" in client.get(url + "?section=I").text
    assert "郑州乙制造有限公司" not in client.get(url + "?section=I").text
    assert "郑州甲科技有限公司" in client.get(url + f"?q={a.credit_code}").text


def test_personal_data_is_masked_without_the_permission(client, official):
    e = EnterpriseFactory(contact_phone="13812345678", contact_email="zhang@example.cn")
    listing = client.get("/admin/enterprises/enterprise/").text
    page = client.get(f"/admin/enterprises/enterprise/{e.pk}/change/").text
    for text in (listing, page):
        assert "13812345678" not in text
    assert "138****5678" in listing
    assert "zhang@example.cn" not in page


def test_personal_data_is_shown_with_the_permission(client, privileged):
    e = EnterpriseFactory(contact_phone="13812345678")
    assert "13812345678" in client.get(f"/admin/enterprises/enterprise/{e.pk}/change/").text


def test_change_form_shows_inlines_and_a_history_link(client, official):
    e = EnterpriseFactory()
    EnterpriseTagFactory(enterprise=e)
    page = client.get(f"/admin/enterprises/enterprise/{e.pk}/change/").text
    assert "高新技术企业" in page and "indicator_values-TOTAL_FORMS" in page
    assert f"/admin/enterprises/enterprise/{e.pk}/auditlog/" in page
    assert client.get(f"/admin/enterprises/enterprise/{e.pk}/auditlog/").status_code == 200


def _form_data(e, **extra):
    data = {"credit_code": e.credit_code, "name": e.name, "district": "二七区", "zone": "郑东新区", "industry": "3411",
            "established_on": "2018-03-01", "registered_capital": "5000000", "address": "", "legal_representative": "",
            "contact_name": "", "contact_phone": "", "contact_email": "", "review_reason": "",
            "tags-TOTAL_FORMS": "0", "tags-INITIAL_FORMS": "0",
            "indicator_values-TOTAL_FORMS": "2", "indicator_values-INITIAL_FORMS": "0"}  # fmt: skip
    ids = dict(IndicatorDefinition.objects.values_list("code", "id"))
    data.update({"indicator_values-0-indicator": ids["employees"], "indicator_values-0-period": "2024",
                 "indicator_values-0-value": "500", "indicator_values-1-indicator": ids["revenue"],
                 "indicator_values-1-period": "2024", "indicator_values-1-value": "30000000"})  # fmt: skip
    data.update(extra)
    return data


def test_saving_in_the_admin_normalises_codes_and_recomputes_scale(client, privileged):
    e = EnterpriseFactory(industry="I6513")
    response = client.post(f"/admin/enterprises/enterprise/{e.pk}/change/", _form_data(e))
    assert response.status_code == 302, re.findall(r'class="errorlist[^>]*>(.*?)</ul>', response.text)
    e.refresh_from_db()
    assert (e.district, e.zone, e.industry, e.scale) == ("410103", "4101ZD", "C3411", "medium")
    assert (
        IndicatorValue.objects.get(enterprise=e, indicator__code="revenue").period_end.isoformat()
        == "2024-12-31"
    )


def test_admin_rejects_negative_values_and_bad_periods(client, privileged):
    e = EnterpriseFactory()
    response = client.post(f"/admin/enterprises/enterprise/{e.pk}/change/",
                           _form_data(e, **{"indicator_values-1-value": "-1", "indicator_values-0-period": "2024Q1"}))  # fmt: skip
    assert response.status_code == 200
    assert "不能为负数" in response.text and "年度" in response.text
    assert not IndicatorValue.objects.exists()


def _upload(client, content: bytes, name="e.csv", fmt="0"):
    return client.post("/admin/enterprises/enterprise/import/",
                       {"import_file": SimpleUploadedFile(name, content), "format": fmt, "resource": "0"})  # fmt: skip


def test_admin_import_preview_lists_row_errors_in_chinese_and_writes_nothing(client, official):
    content = (f"统一社会信用代码,企业名称,所属区县,营业收入_2024\n{credit_code(1)},甲,金水区,100\n"
               f"{credit_code(2)},乙,火星区,100\n{credit_code(3)},丙,金水区,-5\n").encode()  # fmt: skip
    response = _upload(client, content)
    assert response.status_code == 200
    assert "第3行 行政区划" in response.text and "未知的行政区划" in response.text
    assert "第4行" in response.text and "不能为负数" in response.text
    assert Enterprise.objects.count() == 0


def test_admin_import_dry_run_then_confirm_writes_and_a_second_import_skips_everything(client, official):
    content = (f"统一社会信用代码,企业名称,所属区县,行业代码,营业收入_2024,从业人员_2024\n"
               f"{credit_code(1)},甲,金水区,3411,30000000,500\n{credit_code(2)},乙,高新区,6513,100,3\n").encode()  # fmt: skip
    preview = _upload(client, content)
    assert preview.status_code == 200 and Enterprise.objects.count() == 0  # dry run rolled back
    fields = dict(re.findall(r'name="(import_file_name|original_file_name|format|resource)"[^>]*value="([^"]*)"',
                             preview.text))  # fmt: skip
    assert "import_file_name" in fields, preview.text[:2000]
    done = client.post("/admin/enterprises/enterprise/process_import/", fields)
    assert done.status_code == 302
    assert Enterprise.objects.get(credit_code=credit_code(1)).scale == "medium"
    assert Enterprise.objects.get(credit_code=credit_code(2)).district == "410172"
    again = _upload(client, content)
    assert again.status_code == 200
    assert Enterprise.objects.get(credit_code=credit_code(1)).indicator_values.get(
        indicator__code="revenue"
    ).value == Decimal(30000000)


def test_export_masks_personal_data_and_round_trips(client, official, tmp_path):
    e = EnterpriseFactory(contact_phone="13812345678")
    tag = EnterpriseTagFactory(enterprise=e)
    response = client.post("/admin/enterprises/enterprise/export/", {"format": "0", "resource": "0",
                                                                    "enterpriseresource_credit_code": "on",
                                                                    "enterpriseresource_name": "on",
                                                                    "enterpriseresource_contact_phone": "on",
                                                                    "enterpriseresource_tags": "on"})  # fmt: skip
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "统一社会信用代码" in text and e.credit_code in text
    assert "13812345678" not in text
    assert f"高新技术企业|{tag.recognized_on:%Y-%m-%d}|{tag.expires_on:%Y-%m-%d}|是" in text
