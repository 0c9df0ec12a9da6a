"""``POST /api/v1/criteria/draft/``: officials (and keys that may write policies) get a
validated draft with spans and unparsed sentences; enterprises and other keys are refused,
anonymous callers are asked to authenticate; malformed input is a field-keyed 400 in the
caller's language; the admin's session works with its CSRF token; the documented example is
what the endpoint answers."""

import pytest
from django.test import Client

from api.v1.criteria.views import EXAMPLE_ANSWER, EXAMPLE_TEXT

URL = "/api/v1/criteria/draft/"
CLAUSE = "对注册地在郑州市、首次认定为高新技术企业的，给予一次性奖励20万元。各有关单位遵照执行。"

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["off_x", "admin", "int_policies_write"])
def test_an_official_gets_the_draft_with_spans_and_unparsed_sentences(world, role):
    response = world.client(role).post(URL, {"text": CLAUSE}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["criteria"] == {
        "all": [
            {"field": "district", "op": "within", "value": ["4101"]},
            {"field": "tags", "op": "has", "value": "高新技术企业", "first_time": True},
        ]
    }
    assert body["award"] == {"amount": "200000"} and body["award_basis"] == ""
    words = {s["path"]: CLAUSE[s["start"] : s["end"]] for s in body["spans"]}
    assert words == {"all[0]": "郑州市", "all[1]": "首次认定为高新技术企业", "award": "给予一次性奖励20万元"}
    assert body["unparsed"] == ["各有关单位遵照执行"]


@pytest.mark.parametrize(
    ("role", "status"), [("anon", 401), ("ent_a", 403), ("int_none", 403), ("int_enterprises_read", 403)]
)
def test_enterprises_other_keys_and_anonymous_callers_are_refused(world, role, status):
    response = world.client(role).post(URL, {"text": CLAUSE}, format="json")
    assert response.status_code == status
    assert "detail" in response.json()


@pytest.mark.parametrize(
    ("body", "zh", "en"),
    [
        ({}, "该字段是必填项。", "This field is required."),
        ({"text": 12}, "不是有效的字符串。", "Not a valid string."),
        (
            {"text": "  \n "},
            "请粘贴政策原文（一条条款或整篇文件）。",
            "Paste the policy text (a clause or a whole document).",
        ),
        (
            {"text": "字" * 50001},
            "请确保这个字段不能超过 50000 个字符。",
            "Ensure this field has no more than 50000 characters.",
        ),
    ],
)
def test_malformed_input_is_a_400_naming_the_field_in_the_callers_language(world, body, zh, en):
    client = world.client("off_x")
    chinese = client.post(URL, body, format="json")
    english = client.post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert chinese.status_code == english.status_code == 400
    assert chinese.json() == {"text": [zh]}
    assert english.json() == {"text": [en]}


def test_a_body_that_is_not_json_is_a_400(world):
    response = world.client("off_x").post(URL, "text=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code in (400, 415)


def test_the_admin_builder_calls_it_with_the_staff_session_and_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["off_x"])
    client.get("/admin/")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    refused = client.post(URL, {"text": CLAUSE}, content_type="application/json")
    allowed = client.post(URL, {"text": CLAUSE}, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert refused.status_code == 403
    assert allowed.status_code == 200 and allowed.json()["award"] == {"amount": "200000"}


def test_the_documented_example_is_the_answer(world):
    response = world.client("off_x").post(URL, {"text": EXAMPLE_TEXT}, format="json")
    assert response.json() == EXAMPLE_ANSWER


def test_the_operation_is_in_the_openapi_schema_with_its_answers(world):
    schema = world.client("anon").get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/criteria/draft/"]["post"]
    assert {"200", "400", "401", "403"} <= set(operation["responses"])
    example = operation["requestBody"]["content"]["application/json"]["examples"]
    assert next(iter(example.values()))["value"] == {"text": EXAMPLE_TEXT}
