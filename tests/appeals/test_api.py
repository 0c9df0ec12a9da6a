import pytest
from rest_framework.test import APIClient

from appeals.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(setup):
    renamed = {"a": "enterprise", "user_a": "user", "user_b": "other_user"}
    return {key: setup[renamed.get(key, key)] for key in ("a", "user_a", "user_b", "official", "outsider")}


def client_for(user):
    client = APIClient()
    if user:
        client.force_authenticate(user)
    return client


def test_enterprise_raises_and_reads_its_case_through_the_api(world):
    response = client_for(world["user_a"]).post(
        "/api/v1/appeals/", {"category": "finance", "title": "贷款", "description": "慢"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["credit_code"] == world["a"].credit_code and response.json()["source"] == "api"
    case_id = response.json()["id"]
    assert client_for(world["user_a"]).get("/api/v1/appeals/").json()["count"] == 1
    assert client_for(world["user_b"]).get(f"/api/v1/appeals/{case_id}/").status_code == 404
    assert client_for(world["outsider"]).get(f"/api/v1/appeals/{case_id}/").status_code == 404
    assert client_for(world["official"]).get(f"/api/v1/appeals/{case_id}/").status_code == 200
    assert client_for(None).get("/api/v1/appeals/").status_code in (401, 403)


def test_bad_input_gets_field_keyed_errors(world):
    response = client_for(world["user_a"]).post(
        "/api/v1/appeals/", {"category": "weather", "title": ""}, format="json"
    )
    assert response.status_code == 400
    assert {"category", "title", "description"} <= set(response.json())
    assert Case.objects.count() == 0


def test_official_logs_on_behalf_with_a_credit_code(world):
    response = client_for(world["official"]).post(
        "/api/v1/appeals/",
        {
            "category": "other",
            "title": "热线",
            "description": "来电",
            "credit_code": world["a"].credit_code.lower(),
        },
        format="json",
    )
    assert response.status_code == 201 and response.json()["source"] == "hotline"
    missing = client_for(world["official"]).post(
        "/api/v1/appeals/", {"category": "other", "title": "t", "description": "d"}, format="json"
    )
    assert missing.status_code == 400 and "credit_code" in missing.json()
