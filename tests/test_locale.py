import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_stay_chinese_for_an_english_browser_until_the_visitor_switches(client):
    # given a browser that prefers English
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    # then the portal still speaks Chinese
    assert 'lang="zh-CN"' in page.content.decode()
    # when the visitor chooses English with the switch
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("accounts:login"))
    assert 'lang="en"' in page.content.decode()


def test_the_api_honours_accept_language(client):
    chinese = client.post("/api/v1/auth/token/", {}, content_type="application/json")
    english = client.post(
        "/api/v1/auth/token/", {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert chinese.status_code == english.status_code == 400
    assert chinese.json() != english.json()
