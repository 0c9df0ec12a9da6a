# ruff: noqa: F811 (the API tests' fixtures are imported, and so redefined as arguments)
"""Every write path an official or an integrator has leaves an audit entry naming the actor
(the person, or the API key and its platform account), the object, the address it came from
and the fields changed from what to what (docs/accounts.md "Audit trail")."""

from __future__ import annotations

import io
import re

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from appeals import services as appeal_services
from appeals.models import Case, Category, RoutingRule
from enterprises.models import Enterprise, TagDefinition
from enterprises.services import enterprise_bulk_upsert
from policies.models import Policy
from tests.api.conftest import _fast_passwords, _fresh_throttles, world  # noqa: F401 (fixtures)
from tests.factories.accounts import EnterpriseUserFactory
from tests.factories.enterprises import credit_code

pytestmark = pytest.mark.django_db

NEW_ADDRESS = "郑州市金水区农业路72号"


def _entries(model, pk) -> list[LogEntry]:
    ct = ContentType.objects.get_for_model(model)
    return list(LogEntry.objects.filter(content_type=ct, object_pk=str(pk)).order_by("pk"))


def _admin_official(client, *apps):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        username="registrar", password="Demo-2026-zz-long", is_staff=True
    )
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label__in=apps).exclude(codename="view_personal_data")
    )
    client.force_login(user)
    return user


# --- the write paths: each does one write and says what the entry must show -------------------
# (model, pk, actor user, API key or None, field, old, new, via)


def admin_change(world, client):
    official = _admin_official(client, "enterprises")
    e = world.ent_a
    data = {"credit_code": e.credit_code, "name": e.name, "district": "金水区", "zone": "", "industry": "",
            "established_on": "", "registered_capital": "", "address": NEW_ADDRESS, "legal_representative": "",
            "contact_name": "", "contact_phone": "", "contact_email": "", "review_reason": "",
            "tags-TOTAL_FORMS": "0", "tags-INITIAL_FORMS": "0",
            "indicator_values-TOTAL_FORMS": "0", "indicator_values-INITIAL_FORMS": "0"}  # fmt: skip
    old = e.address
    response = client.post(f"/admin/enterprises/enterprise/{e.pk}/change/", data, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302, response.content.decode()[:3000]
    return Enterprise, e.pk, official, None, "address", old, NEW_ADDRESS, "admin"


def admin_import(world, client):
    official = _admin_official(client, "enterprises")
    code = credit_code(777)
    content = (
        f"统一社会信用代码,企业名称,所属区县,营业收入_2024\n{code},导入科技有限公司,金水区,100\n".encode()
    )
    preview = client.post("/admin/enterprises/enterprise/import/",
                          {"import_file": SimpleUploadedFile("e.csv", content), "format": "0", "resource": "0"},
                          REMOTE_ADDR="10.1.2.3")  # fmt: skip
    fields = dict(re.findall(r'name="(import_file_name|original_file_name|format|resource)"[^>]*value="([^"]*)"',
                             preview.text))  # fmt: skip
    done = client.post("/admin/enterprises/enterprise/process_import/", fields, REMOTE_ADDR="10.1.2.3")
    assert done.status_code == 302
    e = Enterprise.objects.get(credit_code=code)
    return Enterprise, e.pk, official, None, "name", "None", "导入科技有限公司", "admin"


def staff_page_action(world, client):
    RoutingRule.objects.create(category=Category.OTHER, department=world.dept_x)
    user_a = EnterpriseUserFactory(enterprise=world.ent_a)
    case = appeal_services.case_raise(enterprise=world.ent_a, raised_by=user_a, category="other", title="t",
                                      description="d")  # fmt: skip
    official = world.users["off_x"]
    client.force_login(official)
    client.post(reverse("appeals:staff_case", args=[case.pk]), {"action": "accept"}, REMOTE_ADDR="10.1.2.3")
    old = Case.objects.get(pk=case.pk).reply
    client.post(reverse("appeals:staff_case", args=[case.pk]), {"action": "answer", "reply": "已办理"},
                REMOTE_ADDR="10.1.2.3")  # fmt: skip
    assert Case.objects.get(pk=case.pk).reply == "已办理"
    return Case, case.pk, official, None, "reply", old, "已办理", "web"


def _api(world, role, method, path, body):
    client = world.client(role, REMOTE_ADDR="10.1.2.3")
    response = getattr(client, method)(path, body, format="json")
    assert response.status_code in (200, 201), response.content
    return response


def api_token_patch(world, client):
    old = world.ent_a.address
    _api(world, "off_x", "patch", f"/api/v1/enterprises/{world.ent_a.credit_code}/", {"address": NEW_ADDRESS})
    return Enterprise, world.ent_a.pk, world.users["off_x"], None, "address", old, NEW_ADDRESS, "api-token"


def api_key_patch(world, client):
    old = world.ent_a.address
    _api(world, "int_enterprises_write", "patch", f"/api/v1/enterprises/{world.ent_a.credit_code}/",
         {"address": NEW_ADDRESS})  # fmt: skip
    key = world.keys["int_enterprises_write"]
    return Enterprise, world.ent_a.pk, key.account, key, "address", old, NEW_ADDRESS, "api-key"


def api_token_tag(world, client):
    _api(world, "off_x", "post", "/api/v1/tags/", {"name": "中原英才企业", "description": "高成长企业"})
    tag = TagDefinition.objects.get(name="中原英才企业")
    return TagDefinition, tag.pk, world.users["off_x"], None, "name", "None", "中原英才企业", "api-token"


def api_token_policy(world, client):
    old = world.draft.title
    _api(
        world, "off_x", "patch", f"/api/v1/policies/{world.draft.pk}/", {"title": "郑州市专精特新奖励(修订)"}
    )
    return (
        Policy,
        world.draft.pk,
        world.users["off_x"],
        None,
        "title",
        old,
        "郑州市专精特新奖励(修订)",
        "api-token",
    )


def api_key_policy(world, client):
    old = world.draft.title
    _api(
        world, "int_policies_write", "patch", f"/api/v1/policies/{world.draft.pk}/", {"title": "平台修订标题"}
    )
    key = world.keys["int_policies_write"]
    return Policy, world.draft.pk, key.account, key, "title", old, "平台修订标题", "api-key"


def _bulk(world, role):
    old = world.ent_b.address
    rows = [
        {"credit_code": world.ent_b.credit_code, "address": NEW_ADDRESS},
        {"credit_code": credit_code(5001), "name": "批量新企业", "district": "410105"},
    ]
    body = _api(
        world, role, "post", "/api/v1/enterprises/bulk/", {"source": "省平台", "enterprises": rows}
    ).json()
    assert body["created"] == 1 and body["updated"] == 1
    created = Enterprise.objects.get(credit_code=credit_code(5001))
    entry = _entries(Enterprise, created.pk)[-1]
    assert entry.action == LogEntry.Action.CREATE and entry.changes["name"] == ["None", "批量新企业"]
    return old


def bulk_token(world, client):
    old = _bulk(world, "off_x")
    return Enterprise, world.ent_b.pk, world.users["off_x"], None, "address", old, NEW_ADDRESS, "api-token"


def bulk_key(world, client):
    old = _bulk(world, "int_enterprises_write")
    key = world.keys["int_enterprises_write"]
    return Enterprise, world.ent_b.pk, key.account, key, "address", old, NEW_ADDRESS, "api-key"


PATHS = [admin_change, admin_import, staff_page_action, api_token_patch, api_key_patch, api_token_tag,
         api_token_policy, api_key_policy, bulk_token, bulk_key]  # fmt: skip


@pytest.mark.parametrize("write", PATHS, ids=[p.__name__ for p in PATHS])
def test_every_write_path_leaves_an_entry_naming_actor_object_address_and_diff(write, world, client):
    model, pk, actor, key, field, old, new, via = write(world, client)
    entries = [e for e in _entries(model, pk) if field in (e.changes or {})]
    assert entries, f"no audit entry of {model.__name__} #{pk} changing {field}"
    entry = entries[-1]
    assert entry.changes[field] == [old if old not in ("", None) else entry.changes[field][0], new]
    if old not in ("", None, "None"):
        assert entry.changes[field][0] == old
    assert entry.actor == actor and entry.actor_id is not None
    assert entry.remote_addr == "10.1.2.3"
    extra = entry.additional_data or {}
    assert extra.get("via") == via
    if key is not None:
        assert extra["api_key"] == {"id": key.pk, "prefix": key.prefix, "name": key.name}
    else:
        assert "api_key" not in extra


def test_the_address_patch_is_recorded_as_the_address_change_not_as_the_source(world):
    _api(world, "off_x", "patch", f"/api/v1/enterprises/{world.ent_a.credit_code}/", {"address": NEW_ADDRESS})
    (entry,) = [e for e in _entries(Enterprise, world.ent_a.pk) if e.action == LogEntry.Action.UPDATE]
    assert set(entry.changes) == {"address"}
    assert entry.additional_data["source"] == "api:off_x"


def test_bulk_upsert_writes_one_entry_per_changed_row_only_with_masked_contacts(world, django_user_model):
    actor = django_user_model.objects.create_user(username="feed", password="x-Demo-2026-zz")
    rows = [{"credit_code": credit_code(6000 + i), "name": f"企业{i}", "district": "410105",
             "contact_phone": "13812345678"} for i in range(5)]  # fmt: skip
    before = LogEntry.objects.count()
    enterprise_bulk_upsert(rows=rows, source="feed", actor=actor)
    assert LogEntry.objects.count() == before + 5
    rows[0]["contact_phone"] = "13987654321"
    rows[1]["name"] = "企业1(更名)"
    enterprise_bulk_upsert(rows=rows, source="feed", actor=actor)
    changed = list(LogEntry.objects.order_by("pk")[before + 5 :])
    assert len(changed) == 2  # the three unchanged rows leave nothing
    by_name = {e.object_repr: e for e in changed}
    assert by_name["企业0"].changes == {"contact_phone": ["138****5678", "139****4321"]}
    assert by_name["企业1(更名)"].changes == {"name": ["企业1", "企业1(更名)"]}
    assert all(e.actor == actor and e.additional_data["source"] == "feed" for e in changed)


def test_a_bulk_that_fails_leaves_no_entry(world):
    rows = [{"credit_code": credit_code(7000), "name": "甲", "district": "410105"},
            {"credit_code": credit_code(7001), "name": "乙", "district": "火星区"}]  # fmt: skip
    before = LogEntry.objects.count()
    response = world.client("int_enterprises_write").post("/api/v1/enterprises/bulk/", rows, format="json")
    assert response.status_code == 400 and LogEntry.objects.count() == before


def test_indicators_and_tags_of_a_feed_are_in_the_diff(world):
    code = world.ent_a.credit_code
    _api(world, "int_enterprises_write", "post", "/api/v1/enterprises/bulk/", [
        {"credit_code": code, "indicators": {"revenue": {"2024": "12000000"}}, "tags": ["高新技术企业"]}])  # fmt: skip
    entry = _entries(Enterprise, world.ent_a.pk)[-1]
    assert entry.changes["indicator:revenue:2024"][1] == "12000000"
    assert entry.changes["tags"][1] == "高新技术企业"


# --- the viewer ----------------------------------------------------------------------------


@pytest.fixture
def officer(world):
    user = world.users["off_y"]
    user.groups.add(Group.objects.get(name="安全审计员"))
    return user


def test_officials_without_the_role_get_403_and_anonymous_visitors_the_login(world, client):
    assert client.get(reverse("audittrail:index")).status_code == 302
    client.force_login(world.users["off_x"])
    assert client.get(reverse("audittrail:index")).status_code == 403
    assert 'href="/staff/audit/"' not in client.get(reverse("appeals:staff_queue")).content.decode()
    assert client.get(reverse("audittrail:export")).status_code == 403


def test_the_officer_filters_by_actor_object_date_and_action(world, client, officer):
    api_token_patch(world, client)
    api_key_patch(world, client)
    client.force_login(officer)
    ct = ContentType.objects.get_for_model(Enterprise).pk
    page = client.get(reverse("audittrail:index"), {"actor": "off_x", "content_type": ct,
                                                     "object_pk": world.ent_a.pk, "action": 1})  # fmt: skip
    text = page.content.decode()
    assert page.status_code == 200 and NEW_ADDRESS in text and "off_x" in text
    assert 'href="/staff/audit/" aria-current="page"' in text  # the officer's menu has the page
    assert world.keys["int_enterprises_write"].prefix not in text
    key = world.keys["int_enterprises_write"]
    by_key = client.get(reverse("audittrail:index"), {"actor": key.prefix}).content.decode()
    assert key.prefix in by_key and "audit-entries" in by_key, by_key[-3000:]
    assert "off_x" not in by_key.split("audit-entries")[1]
    from django.utils import timezone

    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    empty = client.get(reverse("audittrail:index"), {"start": tomorrow}).content.decode()
    assert "没有符合条件的记录" in empty
    bad = client.get(reverse("audittrail:index"), {"start": tomorrow, "end": "2000-01-01"})
    assert bad.status_code == 200 and "开始日期不能晚于结束日期" in bad.content.decode()


def test_the_export_is_an_xlsx_of_what_the_filter_selects(world, client, officer):
    api_token_patch(world, client)
    client.force_login(officer)
    response = client.get(reverse("audittrail:export"), {"actor": "off_x"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "操作人" and len(rows) >= 2
    assert all(r[1] == "off_x" for r in rows[1:])
    assert any(f"address: {world.ent_a.address if False else ''}" in (r[8] or "") and NEW_ADDRESS in r[8]
               for r in rows[1:])  # fmt: skip


@pytest.mark.postgres  # the append-only trigger is PostgreSQL's (portal/accounts/audit.py)
def test_nobody_edits_an_entry_and_the_viewer_has_no_write_method(world, client, officer):
    api_token_patch(world, client)
    client.force_login(officer)
    assert client.post(reverse("audittrail:index")).status_code == 405
    entry = _entries(Enterprise, world.ent_a.pk)[-1]
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(changes={"address": ["x", "y"]})


def test_the_viewer_speaks_english_to_an_english_reader(world, client, officer):
    api_key_patch(world, client)
    client.force_login(officer)
    client.cookies["django_language"] = "en"
    text = client.get(reverse("audittrail:index")).content.decode()
    key = world.keys["int_enterprises_write"]
    assert "Audit trail" in text and "Actor or API key" in text and "Export to Excel" in text
    assert f"API key {key.name} ({key.prefix}…)" in text


def test_the_import_command_writes_one_entry_per_enterprise_saying_where_it_came_from(world, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "e.csv"
    path.write_text(f"统一社会信用代码,企业名称,所属区县\n{credit_code(8001)},命令导入甲,金水区\n"
                    f"{credit_code(8002)},命令导入乙,金水区\n", encoding="utf-8")  # fmt: skip
    call_command("import_enterprises", str(path), "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())
    for code, name in ((8001, "命令导入甲"), (8002, "命令导入乙")):
        (entry,) = _entries(Enterprise, Enterprise.objects.get(credit_code=credit_code(code)).pk)
        assert entry.action == LogEntry.Action.CREATE and entry.changes["name"] == ["None", name]
        assert entry.additional_data["via"] == "command:import_enterprises"
