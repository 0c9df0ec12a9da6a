"""No request to /api/, however malformed, gets a 5xx or an HTML body: each class of input
that once answered 500 (or an HTML page) answers a JSON refusal naming the field, in the
caller's language."""

from __future__ import annotations

import json

import pytest

from tests.factories.enterprises import credit_code

pytestmark = pytest.mark.django_db


def _json(response):
    assert response.status_code < 500, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response.content[:300]
    return json.loads(response.content)


def test_eligibility_as_of_out_of_range(world):
    r = world.client("anon").post(
        "/api/v1/eligibility/", {"profile": {"district": "410122"}, "as_of": "1000-01-01"}, format="json"
    )
    body = _json(r)
    assert r.status_code == 400 and "as_of" in body


def test_period_labels_of_years_the_registry_does_not_store():
    from datetime import date

    from matching.criteria.periods import period_label

    assert period_label("last_year", as_of=date(1000, 1, 1)) == "999"
    assert period_label("this_year", language="en", as_of=date(1, 1, 1)) == "1"


@pytest.mark.parametrize(
    "param,path",
    [
        ("updated_since", "/api/v1/enterprises/"),
        ("matched_since", "/api/v1/enterprises/{code}/matches/"),
        ("since", "/api/v1/notifications/"),
    ],
)
def test_utc_offset_beyond_range(world, param, path):
    path = path.format(code=world.ent_a.credit_code)
    client = world.client("int_all") if param != "since" else world.client("ent_a")
    r = client.get(path, {param: "2026-01-01T00:00:00-23:00"})
    _json(r)
    assert r.status_code == 200
    r = client.get(path, {param: "0001-01-01T00:00:00+01:00"})
    body = _json(r)
    assert r.status_code == 400 and param in body


def test_nul_in_bulk(world):
    rec = {"credit_code": credit_code(301), "name": "a\x00b", "district": "410105", "address": "x\x00"}
    r = world.client("int_all").post("/api/v1/enterprises/bulk/", {"enterprises": [rec]}, format="json")
    _json(r)
    assert r.status_code == 400


def test_nul_in_path(world):
    r = world.client("int_all").get("/api/v1/enterprises/9141%00/matches/")
    _json(r)


def test_surrogate_in_bulk(world):
    rec = {"credit_code": credit_code(302), "name": "\ud800x", "district": "410105"}
    r = world.client("int_all").post(
        "/api/v1/enterprises/bulk/",
        data=json.dumps({"enterprises": [rec]}),
        content_type="application/json",
    )
    _json(r)
    assert r.status_code == 400


def test_deep_json(world):
    body = "[" * 100_000 + "]" * 100_000
    r = world.client("anon").post("/api/v1/eligibility/", data=body, content_type="application/json")
    _json(r)
    assert r.status_code == 400


def test_big_body(world):
    body = b'{"profile": {"x": "' + b"a" * (25 * 1024 * 1024) + b'"}}'
    r = world.client("anon").post("/api/v1/eligibility/", data=body, content_type="application/json")
    _json(r)
    assert r.status_code == 413


def test_newline_path(world):
    r = world.client("anon").get("/api/v1/poli%0Acies/")
    _json(r)
    assert r.status_code == 404


def test_refusals_speak_the_callers_language(world):
    en = world.client("int_all", HTTP_ACCEPT_LANGUAGE="en")
    zh = world.client("int_all")
    rec = {"credit_code": credit_code(303), "name": "a\x00b", "district": "410105"}
    body = _json(en.post("/api/v1/enterprises/bulk/", {"enterprises": [rec]}, format="json"))
    assert body == {"enterprises[0].name": ["Must not contain a NUL character (\\u0000)."]}
    body = _json(zh.post("/api/v1/enterprises/bulk/", {"enterprises": [rec]}, format="json"))
    assert body == {"enterprises[0].name": ["不能包含空字符(NUL, \\u0000)。"]}
    # DRF's own untranslated text, in Chinese by default
    body = _json(zh.post("/api/v1/enterprises/bulk/", data="null", content_type="application/json"))
    assert body == {"non_field_errors": ["未提供数据。"]}
    body = _json(en.post("/api/v1/enterprises/bulk/", data="null", content_type="application/json"))
    assert body == {"non_field_errors": ["No data provided."]}
    # Django's own refusals (HTML elsewhere) are JSON here, in the caller's language
    r = world.client("anon", HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/x%0Ay/")
    assert _json(r) == {"detail": "Not found."}


def test_registry_refusals_speak_the_callers_language(world):
    # the registry's own checks (credit code, division, industry, period) follow Accept-Language
    rec = {
        "credit_code": credit_code(304)[:-1] + ("0" if credit_code(304)[-1] != "0" else "1"),
        "name": "郑州语言测试有限公司",
        "district": "999999",
        "industry": "计算机制造",
    }
    en = world.client("int_all", HTTP_ACCEPT_LANGUAGE="en")
    body = _json(en.post("/api/v1/enterprises/bulk/", {"enterprises": [rec]}, format="json"))
    text = json.dumps(body, ensure_ascii=False)
    assert "check character" in text and "校验位" not in text
    rec["credit_code"] = credit_code(304)
    body = _json(en.post("/api/v1/enterprises/bulk/", {"enterprises": [rec]}, format="json"))
    row = body["errors"]["0"]
    assert row["district"] == ["Not a valid division code: 999999"]
    assert row["industry"][0].startswith("Malformed industry code: 计算机制造")
    zh = world.client("int_all")
    body = _json(zh.post("/api/v1/enterprises/bulk/", {"enterprises": [rec]}, format="json"))
    assert body["errors"]["0"]["district"] == ["行政区划代码无效：999999"]


def test_appeals_refusals_in_english(world):
    client = world.client("off_x", HTTP_ACCEPT_LANGUAGE="en")
    r = client.post(
        "/api/v1/appeals/",
        {"kind": "problem", "category": "finance", "title": "t", "description": "d"},
        format="json",
    )
    assert r.status_code == 400
    assert _json(r) == {
        "credit_code": [
            "An official logging a case for an enterprise must give its unified social credit code"
        ]
    }


def test_a_query_parameter_with_nul_is_refused_by_name(world):
    r = world.client("int_all").get("/api/v1/enterprises/", {"name": "a\x00"})
    assert r.status_code == 400 and set(_json(r)) == {"name"}


def test_an_unhandled_error_is_a_json_500_without_a_traceback(world, monkeypatch, client):
    from api.v1.eligibility import views

    def boom(**kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(views, "eligibility_for_profile", boom)
    client.raise_request_exception = False
    r = client.post("/api/v1/eligibility/", {"profile": {}}, content_type="application/json")
    assert r.status_code == 500
    assert _json_any(r) == {"detail": "服务器内部错误，请稍后再试。"}


def test_head_is_get_without_a_body(world, client):
    for path in ("/", "/api/v1/policies/", "/healthz/"):
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code, path
        assert head.content == b"" and head["Content-Type"] == get["Content-Type"]


def _json_any(response):
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def test_criteria_errors_in_the_callers_language(world):
    criteria = {"all": [{"field": "revenue", "op": "between", "value": [5, 1]}, {"any": []}]}
    body = {"title": "测试政策", "department": world.dept_x.code, "criteria": criteria}
    en = _json(
        world.client("off_x", HTTP_ACCEPT_LANGUAGE="en").post("/api/v1/policies/", body, format="json")
    )
    zh = _json(world.client("off_x").post("/api/v1/policies/", body, format="json"))
    assert "between's lower bound is above its upper bound" in json.dumps(en)
    assert "any needs at least one condition" in json.dumps(en)
    assert "between 的下限大于上限" in json.dumps(zh, ensure_ascii=False)
