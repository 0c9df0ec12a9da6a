"""An enterprise user is bound to one enterprise only after verification: an official approves
the request, or the user redeems a single-use, expiring code sent to the registered contact."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.accounts import services
from portal.accounts.models import ActivationCode, BindingStatus, EnterpriseBindingRequest
from tests.factories.accounts import (
    PASSWORD,
    BindingRequestFactory,
    EnterpriseUserFactory,
    OfficialUserFactory,
    SuperuserFactory,
    UserFactory,
)
from tests.factories.enterprises import EnterpriseFactory

pytestmark = pytest.mark.django_db


def _reviewer():
    official = OfficialUserFactory()
    official.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="accounts",
            codename__in=["change_enterprisebindingrequest", "view_enterprisebindingrequest"],
        )
    )
    return type(official).objects.get(pk=official.pk)


def _code_from(sent_sms) -> str:
    assert sent_sms, "no SMS sent"
    return re.search(r"激活码：([A-Z0-9]{8})", sent_sms[-1][1]).group(1)


# --- requests reviewed by an official ------------------------------------------------------


def test_request_is_pending_until_an_official_approves_it():
    # given
    user = UserFactory()
    enterprise = EnterpriseFactory()
    # when
    req = services.binding_request_create(
        user=user,
        credit_code=f" {enterprise.credit_code.lower()} ",
        applicant_name="张三",
        applicant_phone="13812345678",
    )
    # then
    user.refresh_from_db()
    assert req.status == BindingStatus.PENDING and req.enterprise == enterprise
    assert user.enterprise is None
    # when
    reviewer = _reviewer()
    services.binding_request_approve(binding_request=req, reviewer=reviewer, reason="核实营业执照")
    # then
    user.refresh_from_db()
    req.refresh_from_db()
    assert user.enterprise == enterprise
    assert (req.status, req.reviewer, req.reason) == (BindingStatus.APPROVED, reviewer, "核实营业执照")
    with pytest.raises(ValidationError):
        services.binding_request_approve(binding_request=req, reviewer=reviewer)


def test_request_for_an_unknown_credit_code_names_the_field_and_writes_nothing():
    user = UserFactory()
    with pytest.raises(ValidationError) as exc:
        services.binding_request_create(
            user=user, credit_code="91410105MA0000000X", applicant_name="", applicant_phone="123"
        )
    assert set(exc.value.message_dict) == {"credit_code", "applicant_name", "applicant_phone"}
    assert not EnterpriseBindingRequest.objects.exists()


def test_a_bound_user_cannot_ask_for_a_second_enterprise():
    user = EnterpriseUserFactory()
    with pytest.raises(ValidationError, match="只能绑定一家企业"):
        services.binding_request_create(
            user=user,
            credit_code=EnterpriseFactory().credit_code,
            applicant_name="张三",
            applicant_phone="13812345678",
        )


def test_rejection_needs_a_reason_and_binds_nothing():
    req = BindingRequestFactory()
    reviewer = _reviewer()
    with pytest.raises(ValidationError):
        services.binding_request_reject(binding_request=req, reviewer=reviewer, reason=" ")
    services.binding_request_reject(binding_request=req, reviewer=reviewer, reason="申请人非本企业员工")
    req.refresh_from_db()
    req.user.refresh_from_db()
    assert req.status == BindingStatus.REJECTED and req.user.enterprise is None


def test_an_enterprise_user_cannot_review_requests():
    req = BindingRequestFactory()
    with pytest.raises(ValidationError):
        services.binding_request_approve(binding_request=req, reviewer=EnterpriseUserFactory())
    req.refresh_from_db()
    assert req.status == BindingStatus.PENDING


def test_official_approves_in_the_admin_with_a_reason(client):
    # given
    req = BindingRequestFactory()
    client.force_login(SuperuserFactory())
    url = reverse("admin:accounts_enterprisebindingrequest_changelist")
    # when the action is chosen, a confirmation page asks for the reason
    page = client.post(url, {"action": "approve", ACTION_CHECKBOX_NAME: [req.pk]})
    assert page.status_code == 200 and "审核意见" in page.content.decode()
    # and when it is confirmed
    done = client.post(
        url, {"action": "approve", "apply": "1", "reason": "电话核实", ACTION_CHECKBOX_NAME: [req.pk]}
    )
    # then
    assert done.status_code == 302
    req.refresh_from_db()
    req.user.refresh_from_db()
    assert req.status == BindingStatus.APPROVED and req.reason == "电话核实"
    assert req.user.enterprise == req.enterprise


def test_admin_shows_the_applicant_phone_masked(client):
    req = BindingRequestFactory(applicant_phone="13812345678")
    official = _reviewer()
    official.user_permissions.add(
        Permission.objects.get(codename="view_user", content_type__app_label="accounts")
    )
    client.force_login(official)
    html = client.get(reverse("admin:accounts_enterprisebindingrequest_changelist")).content.decode()
    assert "138****5678" in html and "13812345678" not in html
    html = client.get(
        reverse("admin:accounts_enterprisebindingrequest_change", args=[req.pk])
    ).content.decode()
    assert "138****5678" in html and "13812345678" not in html


def test_bind_page_submits_a_request(client):
    user = UserFactory()
    enterprise = EnterpriseFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:bind"),
        {
            "action": "request",
            "req-credit_code": enterprise.credit_code,
            "req-applicant_name": "张三",
            "req-applicant_phone": "13812345678",
        },
    )
    assert response.status_code == 302
    assert EnterpriseBindingRequest.objects.get(user=user).enterprise == enterprise
    page = client.get(reverse("accounts:bind")).content.decode()
    assert "待审核" in page and "138****5678" in page and "13812345678" not in page


# --- activation codes -------------------------------------------------------------------


def test_code_goes_by_sms_to_the_registered_contact_and_binds_once(sent_sms):
    # given
    enterprise = EnterpriseFactory(contact_phone="13912345678")
    issued = services.activation_code_issue(enterprise=enterprise)
    code = _code_from(sent_sms)
    # then only a hash is stored, and the recipient is shown masked
    assert sent_sms[-1][0] == "13912345678"
    assert issued.sent_to == "139****5678"
    assert code not in issued.activation_code.code_hash
    # when a user redeems it
    first = UserFactory()
    assert (
        services.activation_code_redeem(user=first, credit_code=enterprise.credit_code, code=code.lower())
        == enterprise
    )
    first.refresh_from_db()
    assert first.enterprise == enterprise
    # then it cannot be used a second time
    second = UserFactory()
    with pytest.raises(ValidationError) as exc:
        services.activation_code_redeem(user=second, credit_code=enterprise.credit_code, code=code)
    assert "code" in exc.value.message_dict
    second.refresh_from_db()
    assert second.enterprise is None


def test_code_goes_by_email_when_no_phone_is_registered():
    enterprise = EnterpriseFactory(contact_phone="", contact_email="boss@example.com")
    issued = services.activation_code_issue(enterprise=enterprise)
    assert issued.channel == "email" and issued.sent_to == "b***@example.com"
    assert mail.outbox[-1].to == ["boss@example.com"]
    assert re.search(r"激活码：[A-Z0-9]{8}", mail.outbox[-1].body)


def test_no_code_without_a_registered_contact():
    with pytest.raises(ValidationError, match="人工审核"):
        services.activation_code_issue(enterprise=EnterpriseFactory(contact_phone="", contact_email=""))
    assert not ActivationCode.objects.exists()


def test_an_expired_code_is_refused(sent_sms):
    enterprise = EnterpriseFactory(contact_phone="13912345678")
    services.activation_code_issue(enterprise=enterprise)
    code = _code_from(sent_sms)
    user = UserFactory()
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(hours=49)):
        with pytest.raises(ValidationError):
            services.activation_code_redeem(user=user, credit_code=enterprise.credit_code, code=code)
    user.refresh_from_db()
    assert user.enterprise is None


def test_a_new_code_replaces_the_old_one_and_resending_is_throttled(sent_sms):
    enterprise = EnterpriseFactory(contact_phone="13912345678")
    services.activation_code_issue(enterprise=enterprise)
    old_code = _code_from(sent_sms)
    with pytest.raises(ValidationError, match="稍后"):
        services.activation_code_issue(enterprise=enterprise)
    services.activation_code_issue(
        enterprise=enterprise, issued_by=OfficialUserFactory()
    )  # officials may reissue
    new_code = _code_from(sent_sms)
    user = UserFactory()
    with pytest.raises(ValidationError):
        services.activation_code_redeem(user=user, credit_code=enterprise.credit_code, code=old_code)
    services.activation_code_redeem(user=user, credit_code=enterprise.credit_code, code=new_code)


def test_five_wrong_guesses_burn_the_code(sent_sms):
    enterprise = EnterpriseFactory(contact_phone="13912345678")
    services.activation_code_issue(enterprise=enterprise)
    code = _code_from(sent_sms)
    user = UserFactory()
    for _ in range(5):
        with pytest.raises(ValidationError):
            services.activation_code_redeem(user=user, credit_code=enterprise.credit_code, code="WRONG234")
    with pytest.raises(ValidationError):
        services.activation_code_redeem(user=user, credit_code=enterprise.credit_code, code=code)
    assert ActivationCode.objects.get().failed_attempts == 5


def test_a_failed_transport_withdraws_the_code(settings):
    settings.SMS_BACKEND = "tests.accounts.conftest.FailingSmsBackend"
    enterprise = EnterpriseFactory(contact_phone="13912345678")
    with pytest.raises(ValidationError, match="发送失败"):
        services.activation_code_issue(enterprise=enterprise)
    assert not ActivationCode.objects.get().is_usable


def test_bind_page_sends_and_redeems_a_code(client, sent_sms):
    # given
    enterprise = EnterpriseFactory(contact_phone="13912345678")
    user = UserFactory()
    assert (
        client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD}).status_code
        == 302
    )
    # when the user asks for a code to be sent to the registered contact
    response = client.post(
        reverse("accounts:bind"),
        {"action": "send_code", "code-credit_code": enterprise.credit_code},
        follow=True,
    )
    assert "139****5678" in response.content.decode()
    # and enters a wrong one, then the right one
    wrong = client.post(
        reverse("accounts:bind"),
        {"action": "redeem", "code-credit_code": enterprise.credit_code, "code-code": "ZZZZ2345"},
    )
    assert wrong.status_code == 400 and "激活码错误" in wrong.content.decode()
    right = client.post(
        reverse("accounts:bind"),
        {"action": "redeem", "code-credit_code": enterprise.credit_code, "code-code": _code_from(sent_sms)},
    )
    # then
    assert right.status_code == 302
    user.refresh_from_db()
    assert user.enterprise == enterprise
    assert enterprise.name in client.get(reverse("accounts:bind")).content.decode()


def test_official_sends_a_code_to_the_registered_contact_from_the_admin(client, sent_sms):
    req = BindingRequestFactory(enterprise=EnterpriseFactory(contact_phone="13912345678"))
    client.force_login(_reviewer())
    response = client.post(
        reverse("admin:accounts_enterprisebindingrequest_changelist"),
        {"action": "send_activation_code", ACTION_CHECKBOX_NAME: [req.pk]},
        follow=True,
    )
    assert "139****5678" in response.content.decode()
    assert sent_sms[-1][0] == "13912345678"
    assert ActivationCode.objects.get().issued_by is not None
