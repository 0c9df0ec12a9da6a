"""Contract tests: each row of DESIGN §6 as an outside client calls it (real headers, JSON)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiKey, AuthToken, secret_hash
from api.services import api_key_issue, api_key_revoke
from enterprises.models import Enterprise, IndicatorValue
from policies.models import Policy
from tests.factories.accounts import PASSWORD, EnterpriseUserFactory
from tests.factories.enterprises import credit_code
from tests.factories.policies import PolicyFactory

pytestmark = pytest.mark.django_db

PAGE_KEYS = {"count", "next", "previous", "results"}


def _json(response):
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return response.json()


# --- auth ------------------------------------------------------------------------------------
def test_token_is_issued_for_username_and_password_and_stored_only_as_a_hash():
    # given
    user = EnterpriseUserFactory(username="zhang")
    client = APIClient()
    # when
    response = client.post("/api/v1/auth/token/", {"username": "zhang", "password": PASSWORD}, format="json")
    # then
    assert response.status_code == 200
    token = _json(response)["token"]
    stored = AuthToken.objects.get(user=user)
    assert stored.key_hash == secret_hash(token) and token not in {stored.key_hash, stored.prefix * 2}
    assert stored.expires_at > timezone.now()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/notifications/").status_code == 200


def test_an_expired_token_is_refused_with_401_and_a_challenge(world):
    AuthToken.objects.filter(user=world.users["ent_a"]).update(expires_at=timezone.now())
    response = world.client("ent_a").get("/api/v1/notifications/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"]


def test_a_wrong_password_is_a_400_with_a_chinese_message_and_english_on_request():
    EnterpriseUserFactory(username="li")
    zh = APIClient().post(
        "/api/v1/auth/token/", {"username": "li", "password": "wrong-Password-9"}, format="json"
    )
    en = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "li", "password": "wrong-Password-9"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert zh.status_code == en.status_code == 400
    assert zh.json()["non_field_errors"] == ["用户名或密码错误。"]
    assert en.json()["non_field_errors"] == ["Incorrect username or password."]


def test_five_failed_logins_lock_the_account_even_for_the_right_password():
    # given five failures for one account
    EnterpriseUserFactory(username="wang")
    client = APIClient()
    for _ in range(5):
        client.post(
            "/api/v1/auth/token/", {"username": "wang", "password": "wrong-Password-9"}, format="json"
        )
    # when the right password comes from another address
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "wang", "password": PASSWORD},
        format="json",
        REMOTE_ADDR="10.9.9.9",
    )
    # then the account is locked: 429 with Retry-After, and no token
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert not AuthToken.objects.filter(user__username="wang").exists()


def test_api_keys_are_hashed_at_rest_show_a_prefix_record_use_and_can_be_revoked(world):
    key, raw = api_key_issue(name="省平台", scopes=["enterprises:read"])
    assert key.key_hash == secret_hash(raw) and raw.startswith(f"zzk_{key.prefix}_")
    assert not ApiKey.objects.filter(key_hash=raw).exists()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert client.get("/api/v1/enterprises/").status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None
    # a key missing the scope is refused with 403; a revoked key with 401
    assert client.post("/api/v1/enterprises/bulk/", {"enterprises": []}, format="json").status_code == 403
    api_key_revoke(key=key)
    assert client.get("/api/v1/enterprises/").status_code == 401


# --- reference data -------------------------------------------------------------------------
def test_departments_tags_and_indicators_are_paginated_lists_with_the_published_fields(world):
    client = APIClient()
    departments = _json(client.get("/api/v1/departments/"))
    assert set(departments) == PAGE_KEYS
    assert {"code", "name", "parent", "contact"} <= set(departments["results"][0])
    tags = _json(client.get("/api/v1/tags/"))
    assert {"name", "description", "issuer"} <= set(tags["results"][0])
    indicators = _json(client.get("/api/v1/indicators/?page_size=100"))
    revenue = next(i for i in indicators["results"] if i["code"] == "revenue")
    assert revenue["type"] in {"number", "money", "percent", "flag", "code"}
    assert revenue["periodicity"] in {"none", "year", "half", "quarter", "month"}


def test_an_official_adds_an_indicator_that_criteria_can_use_at_once(world):
    client = world.client("off_x")
    response = client.post(
        "/api/v1/indicators/",
        {
            "code": "freight_cost",
            "name": "物流运输费用",
            "type": "money",
            "unit": "元",
            "periodicity": "quarter",
        },
        format="json",
    )
    assert response.status_code == 201
    policy = client.post(
        "/api/v1/policies/",
        {
            "title": "物流补贴",
            "department": world.dept_x.code,
            "criteria": {"all": [{"field": "freight_cost", "op": ">", "value": 100000}]},
        },
        format="json",
    )
    assert policy.status_code == 201, policy.json()


# --- policies -----------------------------------------------------------------------------------
def test_the_policy_list_shows_published_policies_only_and_filters_them(world):
    PolicyFactory(
        title="郑州市人才公寓补贴",
        department=world.dept_y,
        status="published",
        benefit_type="talent",
        level="district",
        auto_grant=True,
        published_at=timezone.now(),
    )
    client = APIClient()
    every = _json(client.get("/api/v1/policies/"))
    assert set(every) == PAGE_KEYS
    titles = {p["title"] for p in every["results"]}
    assert world.draft.title not in titles and world.published.title in titles
    assert [p["title"] for p in client.get("/api/v1/policies/?benefit_type=talent").json()["results"]] == [
        "郑州市人才公寓补贴"
    ]
    assert [p["title"] for p in client.get("/api/v1/policies/?department=zz-kjj").json()["results"]] == [
        "郑州市人才公寓补贴"
    ]
    assert [p["title"] for p in client.get("/api/v1/policies/?auto_grant=true").json()["results"]] == [
        "郑州市人才公寓补贴"
    ]
    assert [p["title"] for p in client.get("/api/v1/policies/?level=district").json()["results"]] == [
        "郑州市人才公寓补贴"
    ]
    assert client.get("/api/v1/policies/?open=true").json()["count"] == 2
    assert client.get("/api/v1/policies/?level=galactic").status_code == 400


def test_policy_search_finds_chinese_words_and_marks_them(world):
    from policies.search import policy_search_index_update

    policy_search_index_update(policy_ids=[world.published.pk, world.draft.pk])  # written by the services
    response = APIClient().get("/api/v1/policies/", {"q": "高新技术企业"})
    results = _json(response)["results"]
    assert [p["id"] for p in results] == [world.published.pk]
    assert "<mark>" in results[0]["snippet"] or "<mark>" in results[0]["title"] or results[0]["snippet"] == ""


def test_an_official_drafts_a_policy_and_gets_201_with_status_draft(world):
    response = world.client("off_x").post(
        "/api/v1/policies/",
        {
            "title": "郑州市中小企业数字化改造补贴",
            "summary": "对完成数字化改造的中小企业给予补贴",
            "body": "全文",
            "department": "zz-gxj",
            "level": "municipal",
            "benefit_type": "subsidy",
            "criteria": {"all": [{"field": "district", "op": "within", "value": ["郑州市"]}]},
            "award": {"amount": "min(0.1 * revenue, 2000000)"},
            "auto_grant": False,
            "exclusive_group": "",
            "apply_start": "2026-01-01",
            "apply_end": "2026-12-31",
            "materials": ["营业执照", {"name": "改造合同"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft" and body["department"] == "zz-gxj"
    assert [m["name"] for m in body["materials"]] == ["营业执照", "改造合同"]
    assert Policy.objects.get(pk=body["id"]).created_by == world.users["off_x"]


def test_a_bad_criteria_tree_is_a_400_naming_the_path_and_nothing_is_saved(world):
    before = Policy.objects.count()
    response = world.client("off_x").post(
        "/api/v1/policies/",
        {
            "title": "错误条件",
            "department": "zz-gxj",
            "criteria": {
                "all": [
                    {"field": "district", "op": "within", "value": ["4101"]},
                    {"field": "no_such_field", "op": ">", "value": 1},
                ]
            },
        },
        format="json",
    )
    assert response.status_code == 400
    assert any("all[1]" in message for message in response.json()["criteria"])
    assert Policy.objects.count() == before


def test_field_errors_are_chinese_by_default_and_english_on_request(world):
    client = world.client("off_x")
    zh = client.post("/api/v1/policies/", {"department": "zz-gxj"}, format="json")
    en = client.post("/api/v1/policies/", {"department": "zz-gxj"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert zh.status_code == en.status_code == 400
    assert zh.json()["title"] == ["该字段是必填项。"]
    assert en.json()["title"] == ["This field is required."]


def test_publishing_a_draft_makes_it_public_and_schedules_matching(world, django_capture_on_commit_callbacks):
    from matching.models import MatchRun

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = world.client("off_x").post(f"/api/v1/policies/{world.draft.pk}/publish/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "published"
    assert MatchRun.objects.filter(policy_id=world.draft.pk, reason="published").exists()
    assert callbacks, "the matching run is enqueued on commit"
    assert APIClient().get(f"/api/v1/policies/{world.draft.pk}/").status_code == 200


def test_publishing_twice_is_a_400_on_status(world):
    response = world.client("off_x").post(f"/api/v1/policies/{world.published.pk}/publish/")
    assert response.status_code == 400
    assert "status" in response.json()


def test_reach_counts_the_enterprises_a_draft_would_reach(world):
    response = world.client("off_x").get(f"/api/v1/policies/{world.draft.pk}/reach/")
    body = _json(response)
    assert {"count", "by_district", "by_industry", "total_award"} <= set(body)
    assert body["count"] == Enterprise.objects.filter(district__startswith="4101").count() == 2


# --- enterprises ---------------------------------------------------------------------------------
def test_an_integrator_registers_an_enterprise_with_indicators_and_reads_the_derived_fields(world):
    client = world.client("int_enterprises_write")
    code = credit_code(777)
    response = client.post(
        "/api/v1/enterprises/",
        {
            "credit_code": f" {code[:6].lower()}-{code[6:]} ",
            "name": "郑州示例智能装备有限公司",
            "district": "金水区",
            "zone": "",
            "industry": "3411",
            "established_on": "2018-06-01",
            "registered_capital": "5000000",
            "scale": "large",
            "entity_type": "government",  # derived: ignored
            "tags": [
                {
                    "name": "高新技术企业",
                    "recognized_on": "2024-12-01",
                    "expires_on": "2027-11-30",
                    "first_time": True,
                }
            ],
            "indicators": {
                "revenue": {"2024": "12000000"},
                "employees": {"2024": "85"},
                "total_assets": {"2024": "9000000"},
            },
            "contact_phone": "13812345678",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["credit_code"] == code
    assert body["entity_type"] == "enterprise"
    assert body["district"] == "410105" and body["industry"] == "C3411"
    assert body["scale"] in {"small", "micro", "medium"}
    assert body["indicators"]["revenue"] == {"2024": "12000000"}
    assert body["tags"][0]["name"] == "高新技术企业"
    assert body["contact_phone"] == "138****5678"  # masked for whoever lacks the personal-data permission
    assert isinstance(body["age_years"], int)


def test_registering_an_existing_credit_code_again_is_a_400(world):
    response = world.client("off_x").post(
        "/api/v1/enterprises/",
        {"credit_code": world.ent_a.credit_code, "name": "重复", "district": "410105"},
        format="json",
    )
    assert response.status_code == 400 and "credit_code" in response.json()


def test_patch_changes_only_the_given_fields_and_put_replaces_the_profile(world):
    client = world.client("off_x")
    url = f"/api/v1/enterprises/{world.ent_a.credit_code}/"
    patched = client.patch(url, {"address": "郑州市金水区花园路 1 号"}, format="json").json()
    assert patched["address"] == "郑州市金水区花园路 1 号" and patched["industry"] == "I6513"
    put = client.put(url, {"name": "郑州甲科技有限公司", "district": "410105"}, format="json")
    assert put.status_code == 200
    assert put.json()["industry"] == "" and put.json()["address"] == ""


def test_a_bad_district_is_a_field_keyed_400_and_nothing_changes(world):
    url = f"/api/v1/enterprises/{world.ent_a.credit_code}/"
    response = world.client("off_x").patch(url, {"district": "火星", "address": "新地址"}, format="json")
    assert response.status_code == 400 and "district" in response.json()
    world.ent_a.refresh_from_db()
    assert world.ent_a.address == ""


def test_the_enterprise_key_in_the_path_is_normalised(world):
    code = world.ent_a.credit_code
    messy = f"{code[:4].lower()} {code[4:]}".replace("1", "１", 1)
    assert world.client("off_x").get(f"/api/v1/enterprises/{messy}/").status_code == 200


def test_bulk_upsert_is_all_or_nothing_with_errors_by_index_and_field(world):
    rows = [
        {"credit_code": credit_code(1000 + i), "name": f"批量企业{i}", "district": "410105"} for i in range(5)
    ]
    rows[3]["district"] = "不存在的区"
    client = world.client("int_enterprises_write")
    response = client.post(
        "/api/v1/enterprises/bulk/", {"source": "省平台", "enterprises": rows}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["3"] and "district" in response.json()["errors"]["3"]
    assert not Enterprise.objects.filter(name__startswith="批量企业").exists()


def test_bulk_upsert_is_idempotent_by_credit_code(world):
    rows = [
        {"credit_code": credit_code(2000 + i), "name": f"批量企业{i}", "district": "410105"} for i in range(3)
    ]
    client = world.client("int_enterprises_write")
    first = client.post("/api/v1/enterprises/bulk/", rows, format="json").json()
    again = client.post("/api/v1/enterprises/bulk/", rows, format="json").json()
    assert first == {"count": 3, "created": 3, "updated": 0, "unchanged": 0}
    assert again == {"count": 3, "created": 0, "updated": 0, "unchanged": 3}
    assert Enterprise.objects.filter(name__startswith="批量企业").count() == 3


def test_bulk_upsert_refuses_more_than_1000_rows(world):
    rows = [{"credit_code": credit_code(3000 + i), "name": "x", "district": "410105"} for i in range(1001)]
    response = world.client("off_x").post("/api/v1/enterprises/bulk/", {"enterprises": rows}, format="json")
    assert response.status_code == 400 and "enterprises" in response.json()


def test_indicator_values_from_a_feed_are_stored_and_changed_enterprises_rematched(world):
    from matching.models import RematchRequest

    response = world.client("int_indicators_write").post(
        "/api/v1/indicator-values/",
        {
            "source": "市税务局",
            "values": [
                {
                    "credit_code": world.ent_a.credit_code,
                    "indicator": "tax_paid",
                    "period": "2025",
                    "value": "356000",
                },
                {
                    "credit_code": world.ent_a.credit_code,
                    "indicator": "revenue",
                    "period": "2025",
                    "value": "8800000",
                },
                {
                    "credit_code": world.ent_b.credit_code,
                    "indicator": "tax_paid",
                    "period": "2025",
                    "value": "1000",
                },
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {"count": 3, "enterprises": 2, "changed": 2}
    value = IndicatorValue.objects.get(enterprise=world.ent_a, indicator__code="tax_paid", period="2025")
    assert value.value == Decimal("356000") and value.source == "市税务局"
    assert set(RematchRequest.objects.values_list("enterprise_id", flat=True)) >= {
        world.ent_a.pk,
        world.ent_b.pk,
    }


def test_an_unknown_indicator_in_a_feed_is_a_400_by_index_and_nothing_is_stored(world):
    response = world.client("int_indicators_write").post(
        "/api/v1/indicator-values/",
        {
            "source": "市税务局",
            "values": [
                {
                    "credit_code": world.ent_a.credit_code,
                    "indicator": "tax_paid",
                    "period": "2025",
                    "value": "1",
                },
                {
                    "credit_code": world.ent_a.credit_code,
                    "indicator": "no_such",
                    "period": "2025",
                    "value": "1",
                },
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "1" in response.json()["values"]
    assert not IndicatorValue.objects.filter(enterprise=world.ent_a, indicator__code="tax_paid").exists()


# --- matches, eligibility, notifications ------------------------------------------------------------
def test_matches_list_the_enterprise_policies_with_reasons(world):
    body = _json(world.client("ent_a").get(f"/api/v1/enterprises/{world.ent_a.credit_code}/matches/"))
    assert set(body) == PAGE_KEYS and body["count"] == 1
    row = body["results"][0]
    assert set(row) == {"policy", "title", "status", "amount", "reasons", "missing", "matched_at"}
    assert row["policy"] == world.published.pk and row["status"] == "eligible"
    assert Decimal(row["amount"]) == Decimal("300000")
    assert row["reasons"], "the explanation lists what is met"


def test_ended_matches_are_not_listed(world):
    from matching.models import Match

    Match.objects.filter(enterprise=world.ent_a).update(status="ended", ended_at=timezone.now())
    body = (
        world.client("int_matches_read").get(f"/api/v1/enterprises/{world.ent_a.credit_code}/matches/").json()
    )
    assert body["count"] == 0


def test_eligibility_sorts_published_policies_for_a_stated_profile(world):
    client = APIClient()
    inside = client.post(
        "/api/v1/eligibility/", {"profile": {"district": "410105", "industry": "C3411"}}, format="json"
    ).json()
    assert [e["policy"] for e in inside["eligible"]] == [world.published.pk]
    assert Decimal(inside["eligible"][0]["amount"]) == Decimal("300000")
    assert world.draft.pk not in [e["policy"] for e in inside["eligible"]]
    unknown = client.post("/api/v1/eligibility/", {"profile": {"industry": "C3411"}}, format="json").json()
    assert [p["policy"] for p in unknown["possible"]] == [world.published.pk]
    assert unknown["possible"][0]["missing"]
    outside = client.post("/api/v1/eligibility/", {"profile": {"district": "110101"}}, format="json").json()
    assert outside["eligible"] == [] and outside["possible"] == []


def test_eligibility_rejects_a_profile_that_is_not_an_object(world):
    response = APIClient().post("/api/v1/eligibility/", {"profile": "高新技术企业"}, format="json")
    assert response.status_code == 400 and "profile" in response.json()


def test_eligibility_is_throttled_with_retry_after(world, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"eligibility": "2/min"})
    client = APIClient()
    statuses = [client.post("/api/v1/eligibility/", {"profile": {}}, format="json") for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert int(statuses[-1]["Retry-After"]) >= 1


def test_notifications_are_the_enterprise_users_own(world):
    body = _json(world.client("ent_b").get("/api/v1/notifications/"))
    assert body["count"] == 1
    assert body["results"][0]["id"] != world.notification_a.pk
    assert (
        world.client("ent_b").post(f"/api/v1/notifications/{world.notification_a.pk}/read/").status_code
        == 404
    )
    assert (
        world.client("ent_a").post(f"/api/v1/notifications/{world.notification_a.pk}/read/").status_code
        == 204
    )
    world.notification_a.refresh_from_db()
    assert world.notification_a.read_at is not None


# --- webhooks ---------------------------------------------------------------------------------------
def test_a_webhook_secret_is_shown_once_and_the_subscription_is_the_integrators_own(world):
    client = world.client("int_webhooks_manage")
    created = client.post(
        "/api/v1/webhooks/",
        {"url": "https://hooks.example.com/a", "events": ["match.created"]},
        format="json",
    )
    assert created.status_code == 201 and len(created.json()["secret"]) >= 24
    listed = client.get("/api/v1/webhooks/").json()
    assert listed["count"] == 2 and all("secret" not in s for s in listed["results"])
    # another platform with the same scope sees none of them
    _key, raw = api_key_issue(name="另一平台", organisation="另一平台", scopes=["webhooks:manage"])
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert other.get("/api/v1/webhooks/").json()["count"] == 0
    assert other.get(f"/api/v1/webhooks/{world.subscription.pk}/").status_code == 404
    assert other.get(f"/api/v1/webhooks/{world.subscription.pk}/deliveries/").status_code == 404


def test_an_unknown_webhook_event_or_a_non_http_url_is_a_400(world):
    client = world.client("int_webhooks_manage")
    response = client.post(
        "/api/v1/webhooks/", {"url": "ftp://x.example.com", "events": ["policy.eaten"]}, format="json"
    )
    assert response.status_code == 400 and {"url", "events"} <= set(response.json())


def test_the_delivery_log_lists_each_signed_post(world):
    body = _json(
        world.client("int_webhooks_manage").get(f"/api/v1/webhooks/{world.subscription.pk}/deliveries/")
    )
    assert body["count"] == 1
    assert {"event", "status", "attempts", "response_code", "error", "created_at"} <= set(body["results"][0])


# --- schema and docs ---------------------------------------------------------------------------------
def test_the_openapi_schema_describes_every_design_row():
    response = APIClient().get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path, method in [
        ("/api/v1/auth/token/", "post"),
        ("/api/v1/departments/", "get"),
        ("/api/v1/departments/", "post"),
        ("/api/v1/tags/", "post"),
        ("/api/v1/indicators/", "post"),
        ("/api/v1/policies/", "get"),
        ("/api/v1/policies/", "post"),
        ("/api/v1/policies/{id}/", "patch"),
        ("/api/v1/policies/{id}/publish/", "post"),
        ("/api/v1/policies/{id}/reach/", "get"),
        ("/api/v1/enterprises/", "post"),
        ("/api/v1/enterprises/{credit_code}/", "put"),
        ("/api/v1/enterprises/{credit_code}/", "patch"),
        ("/api/v1/enterprises/{credit_code}/matches/", "get"),
        ("/api/v1/eligibility/", "post"),
        ("/api/v1/notifications/", "get"),
        ("/api/v1/enterprises/bulk/", "post"),
        ("/api/v1/indicator-values/", "post"),
        ("/api/v1/webhooks/", "post"),
        ("/api/v1/webhooks/{id}/deliveries/", "get"),
    ]:
        operation = schema["paths"][path][method]
        assert operation["responses"], (path, method)
    assert {"tokenAuth", "apiKeyAuth"} <= set(schema["components"]["securitySchemes"])


def test_the_interactive_docs_use_vendored_files_only():
    html = APIClient().get("/api/docs/").content.decode()
    assert "/static/api/swagger-ui/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    redoc = APIClient().get("/api/redoc/").content.decode()
    assert "/static/api/redoc/redoc.standalone.js" in redoc


# --- query counts on the hot paths ------------------------------------------------------------------
def test_the_matches_page_costs_a_fixed_number_of_queries_however_many_rows(
    world, django_assert_max_num_queries
):
    from matching.models import Match

    for i in range(15):
        policy = PolicyFactory(
            title=f"政策{i}",
            department=world.dept_x,
            status="published",
            criteria={"all": [{"field": "district", "op": "within", "value": ["4101"]}]},
            published_at=timezone.now(),
        )
        Match.objects.create(
            policy=policy, enterprise=world.ent_a, status="eligible", matched_at=timezone.now()
        )
    client = world.client("int_matches_read")
    client.get(f"/api/v1/enterprises/{world.ent_a.credit_code}/matches/")
    # key lookup, enterprise id, count, page with policies, profile (enterprise, tags, indicators)
    with django_assert_max_num_queries(8):
        body = client.get(f"/api/v1/enterprises/{world.ent_a.credit_code}/matches/").json()
    assert body["count"] == 16 and len(body["results"]) == 16


def test_the_policy_list_costs_a_fixed_number_of_queries_however_many_rows(
    world, django_assert_max_num_queries
):
    for i in range(25):
        PolicyFactory(
            title=f"政策{i}",
            department=world.dept_y,
            status="published",
            published_at=timezone.now(),
            criteria={"all": [{"field": "revenue", "op": ">", "value": 1000000}]},
        )
    client = APIClient()
    client.get("/api/v1/policies/")
    # count, page, interpretations, materials, the vocabulary for the criteria text (2)
    with django_assert_max_num_queries(7):
        body = client.get("/api/v1/policies/?page_size=50").json()
    assert body["count"] == 26 and all(p["criteria_text"] for p in body["results"])


def test_an_official_issues_a_key_in_the_admin_and_sees_it_once(world, client):
    # given the superuser in the admin
    client.force_login(world.users["admin"])
    # when they add a key with two scopes
    response = client.post(
        "/admin/api/apikey/add/",
        {
            "name": "市社保数据",
            "organisation": "郑州市人社局",
            "scopes": ["indicators:write", "enterprises:read"],
            "department": "",
            "expires_at": "",
        },
        follow=True,
    )
    # then the key is shown once, stored hashed, and works
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    raw = next(re.search(r"zzk_\S+", m).group(0) for m in shown if "zzk_" in m)
    key = ApiKey.objects.get(name="市社保数据")
    assert key.key_hash == secret_hash(raw) and key.scopes == ["enterprises:read", "indicators:write"]
    assert key.created_by == world.users["admin"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert api.get("/api/v1/enterprises/").status_code == 200
    assert raw not in client.get(f"/admin/api/apikey/{key.pk}/change/").content.decode()


def test_the_demo_key_is_created_once_and_works(world):
    from api import demo

    first = demo.load(enterprises=10, seed=1)
    second = demo.load(enterprises=10, seed=1)
    assert "created" in first and "reused" in second
    assert ApiKey.objects.filter(prefix=demo.DEMO_KEY_PREFIX).count() == 1
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {demo.DEMO_KEY}")
    assert client.get("/api/v1/enterprises/").status_code == 200
    assert client.get("/api/v1/webhooks/").status_code == 200
