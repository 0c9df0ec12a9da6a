import pytest
from django.urls import reverse

from tests.factories.accounts import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_login_page_speaks_chinese_by_default_and_english_on_request(client):
    chinese = client.get(reverse("accounts:login")).content.decode()
    client.cookies.load({"django_language": "en"})  # the language switch; the browser's preference is ignored
    english = client.get(reverse("accounts:login")).content.decode()
    assert "连续 5 次输入错误的密码" in chinese
    assert "After 5 wrong passwords in a row" in english


def test_wrong_password_message_is_specific_and_in_chinese(client):
    user = UserFactory()
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": "not-it-at-all"}
    )
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()


def test_logout_is_a_post_and_ends_the_session(client):
    user = UserFactory()
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    response = client.post(reverse("accounts:logout"))
    assert response.status_code in (200, 302)
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("accounts:bind")).status_code == 302


def test_binding_errors_are_translated(client):
    client.force_login(UserFactory())
    client.cookies.load({"django_language": "en"})
    response = client.post(
        reverse("accounts:bind"),
        {"action": "redeem", "code-credit_code": "91410105MA00000000", "code-code": "X"},
    )
    assert response.status_code == 400
    assert "No enterprise with credit code" in response.content.decode()


def test_bind_page_tells_an_official_that_officials_do_not_bind(client):
    from tests.factories.accounts import OfficialUserFactory

    client.force_login(OfficialUserFactory())
    html = client.get(reverse("accounts:bind")).content.decode()
    assert "政府工作人员账号不能绑定企业" in html
    assert 'value="redeem"' not in html
