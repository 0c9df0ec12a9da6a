import pytest
from django.contrib.auth.password_validation import validate_password
from django.urls import reverse

from enterprises.demo import DEMO_ENTERPRISE_CREDIT_CODE
from portal.accounts import demo
from portal.accounts.models import User
from portal.accounts.second_factor import key_from_base32
from tests.factories.enterprises import EnterpriseFactory
from tests.factories.policies import DepartmentFactory
from tests.second_factor_helpers import client_second_step

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_city():
    department = DepartmentFactory(code="zz-gxj", name=demo.DEPARTMENT_NAME)
    first, second = EnterpriseFactory(credit_code=DEMO_ENTERPRISE_CREDIT_CODE), EnterpriseFactory()
    return department, first, second


def test_demo_users_get_their_roles(demo_city):
    department, first, second = demo_city
    # when
    summary = demo.load(enterprises=0, seed=1)
    # then
    assert "5 demo users" in summary
    users = {u.username: u for u in User.objects.filter(username__in=[u for u, _, _ in demo.DEMO_LOGINS])}
    assert users["admin"].is_superuser
    assert users["official"].is_official_of(department.pk) and not users["official"].has_perm(
        "policies.review_policy"
    )
    assert users["reviewer"].is_official_of(department.pk) and users["reviewer"].has_perm(
        "policies.review_policy"
    )
    assert users["enterprise"].enterprise == first
    assert users["enterprise2"].enterprise not in (None, first)
    for user in users.values():
        assert user.check_password(demo.DEMO_PASSWORD)
        validate_password(demo.DEMO_PASSWORD, user)


def test_loading_twice_changes_nothing(demo_city):
    demo.load(enterprises=0, seed=1)
    before = {u.username: (u.pk, u.enterprise_id, u.password) for u in User.objects.all()}
    summary = demo.load(enterprises=0, seed=1)
    after = {u.username: (u.pk, u.enterprise_id, u.password) for u in User.objects.all()}
    assert before == after
    assert "(0 new)" in summary


def test_without_the_department_no_official_is_made_and_the_summary_says_so():
    EnterpriseFactory(credit_code=DEMO_ENTERPRISE_CREDIT_CODE)
    summary = demo.load(enterprises=0, seed=1)
    assert "未找到部门" in summary
    assert not User.objects.filter(username__in=["official", "reviewer"]).exists()


def test_demo_official_logs_in_without_being_forced_to_change_the_password(client, demo_city, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo.load(enterprises=0, seed=1)
    response = client.post(
        reverse("accounts:login"), {"username": "reviewer", "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 302
    # the demo official is pre-enrolled with the demo secret and passes the second step with it
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    reviewer = User.objects.get(username="reviewer")
    assert reviewer.totpdevice_set.get().key == key_from_base32(demo.DEMO_OTP_SECRET)
    client_second_step(client, reviewer)
    assert client.get(reverse("admin:index")).status_code == 200
