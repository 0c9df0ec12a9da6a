import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from portal.accounts.decorators import enterprise_user_required, official_required
from portal.accounts.selectors import user_departments, user_enterprise
from tests.factories.accounts import EnterpriseUserFactory, OfficialUserFactory, SuperuserFactory, UserFactory
from tests.factories.policies import DepartmentFactory
from tests.second_factor_helpers import device_for

pytestmark = pytest.mark.django_db


@enterprise_user_required
def enterprise_view(request):
    return HttpResponse(request.enterprise.credit_code)


@official_required
def official_view(request):
    return HttpResponse("ok")


def _get(user):
    request = RequestFactory().get("/somewhere/")
    if user is None:
        from django.contrib.auth.models import AnonymousUser

        user = AnonymousUser()
    request.user = user
    return request


def test_enterprise_view_serves_a_bound_user_with_its_enterprise():
    user = EnterpriseUserFactory()
    response = enterprise_view(_get(user))
    assert response.status_code == 200
    assert response.content.decode() == user.enterprise.credit_code
    assert user_enterprise(user) == user.enterprise


def test_enterprise_view_sends_anonymous_to_login_and_unbound_to_binding():
    assert enterprise_view(_get(None))["Location"].startswith("/accounts/login/")
    assert enterprise_view(_get(UserFactory()))["Location"] == "/accounts/bind/"


def test_enterprise_view_refuses_officials():
    with pytest.raises(PermissionDenied):
        enterprise_view(_get(OfficialUserFactory()))


def test_official_view_refuses_enterprise_users_and_serves_officials_and_superusers():
    with pytest.raises(PermissionDenied):
        official_view(_get(EnterpriseUserFactory()))
    assert official_view(_get(None)).status_code == 302
    assert official_view(_get(_verified(OfficialUserFactory()))).status_code == 200
    assert official_view(_get(_verified(SuperuserFactory()))).status_code == 200


def test_official_view_sends_an_official_without_the_second_factor_to_it():
    # no device yet: enrolment; a device but an unverified session: the code step
    assert official_view(_get(OfficialUserFactory()))["Location"].startswith("/accounts/2fa/setup/")
    official = OfficialUserFactory()
    device_for(official)
    assert official_view(_get(official))["Location"].startswith("/accounts/2fa/?next=")


def _verified(user):
    """The user as django-otp's middleware leaves it after a passed second step."""
    user.otp_device = device_for(user)
    user.is_verified = lambda: True
    return user


def test_superuser_is_an_official_of_every_department():
    dept_a, dept_b = DepartmentFactory(), DepartmentFactory()
    official = OfficialUserFactory(departments=[dept_a])
    root = SuperuserFactory()
    assert official.is_official_of(dept_a.pk) and not official.is_official_of(dept_b.pk)
    assert root.is_official_of(dept_a.pk) and root.is_official_of(dept_b.pk)
    assert set(user_departments(root)) >= {dept_a, dept_b}
    assert list(user_departments(official)) == [dept_a]
