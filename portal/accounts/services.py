"""Writes about accounts: binding a user to an enterprise after verification.

Two ways to verify that a person acts for an enterprise:

1. a binding request reviewed by an official (admin action, with a reason);
2. an activation code sent to the contact registered for the enterprise in the registry
   (SMS through ``settings.SMS_BACKEND`` or e-mail), single use, expiring.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from enterprises.models import Enterprise
from enterprises.reference import normalize_credit_code

from .masking import mask_email, mask_phone
from .models import ActivationChannel, ActivationCode, BindingStatus, EnterpriseBindingRequest, User

logger = logging.getLogger(__name__)

# Unambiguous characters (no 0/O, 1/I/L) so a code read out over the phone survives.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
MAX_CODE_ATTEMPTS = 5


def _code_ttl() -> timedelta:
    return timedelta(hours=settings.ACTIVATION_CODE_TTL_HOURS)


def _resend_interval() -> timedelta:
    return timedelta(seconds=settings.ACTIVATION_CODE_RESEND_SECONDS)


def _hash_code(code: str) -> str:
    return salted_hmac(
        "portal.accounts.activation_code", code.strip().upper(), algorithm="sha256"
    ).hexdigest()


def enterprise_by_credit_code(*, credit_code: str, field: str = "credit_code"):
    code = normalize_credit_code(credit_code)
    if not code:
        raise ValidationError({field: _("请填写统一社会信用代码")})
    enterprise = Enterprise.objects.filter(credit_code=code).first()
    if enterprise is None:
        raise ValidationError(
            {field: _("市场主体库中没有统一社会信用代码为 %(code)s 的企业") % {"code": code}}
        )
    return enterprise


def _check_user_may_bind(user: User) -> None:
    if user.enterprise_id:
        raise ValidationError({"credit_code": _("该账号已绑定企业，一个账号只能绑定一家企业")})
    if user.is_official:
        raise ValidationError({"credit_code": _("政府工作人员账号不能绑定企业")})


# --- binding requests ---------------------------------------------------------------


@transaction.atomic
def binding_request_create(
    *, user: User, credit_code: str, applicant_name: str, applicant_phone: str, note: str = ""
) -> EnterpriseBindingRequest:
    _check_user_may_bind(user)
    errors: dict[str, str] = {}
    applicant_name = (applicant_name or "").strip()
    applicant_phone = "".join((applicant_phone or "").split())
    if not applicant_name:
        errors["applicant_name"] = _("请填写申请人姓名")
    if not (len(applicant_phone) == 11 and applicant_phone.isdigit() and applicant_phone.startswith("1")):
        errors["applicant_phone"] = _("请填写 11 位手机号码")
    try:
        enterprise = enterprise_by_credit_code(credit_code=credit_code)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    if EnterpriseBindingRequest.objects.filter(
        user=user, enterprise=enterprise, status=BindingStatus.PENDING
    ).exists():
        raise ValidationError({"credit_code": _("已提交过该企业的绑定申请，请等待审核")})
    return EnterpriseBindingRequest.objects.create(
        user=user,
        credit_code=enterprise.credit_code,
        enterprise=enterprise,
        applicant_name=applicant_name,
        applicant_phone=applicant_phone,
        note=(note or "").strip()[:500],
    )


def _bind(user: User, enterprise) -> None:
    user.enterprise = enterprise
    user.save(update_fields=["enterprise"])
    # Any other open request of this user is moot now.
    EnterpriseBindingRequest.objects.filter(user=user, status=BindingStatus.PENDING).exclude(
        enterprise=enterprise
    ).update(status=BindingStatus.REJECTED, reason="账号已绑定其他企业", decided_at=timezone.now())


def _check_reviewer(reviewer: User) -> None:
    if not (
        reviewer.is_active
        and reviewer.is_official
        and reviewer.has_perm("accounts.change_enterprisebindingrequest")
    ):
        raise ValidationError(_("无权审核企业绑定申请"))


@transaction.atomic
def binding_request_approve(
    *, binding_request: EnterpriseBindingRequest, reviewer: User, reason: str = ""
) -> EnterpriseBindingRequest:
    _check_reviewer(reviewer)
    req = (
        EnterpriseBindingRequest.objects.select_for_update().select_related("user").get(pk=binding_request.pk)
    )
    if req.status != BindingStatus.PENDING:
        raise ValidationError(
            _("该申请已处理（%(status)s），不能重复审核") % {"status": req.get_status_display()}
        )
    user = User.objects.select_for_update().get(pk=req.user_id)
    if user.enterprise_id and user.enterprise_id != req.enterprise_id:
        raise ValidationError(_("申请人账号已绑定其他企业"))
    req.status = BindingStatus.APPROVED
    req.reviewer = reviewer
    req.reason = (reason or "").strip()[:500]
    req.decided_at = timezone.now()
    req.save(update_fields=["status", "reviewer", "reason", "decided_at"])
    _bind(user, req.enterprise)
    return req


@transaction.atomic
def binding_request_reject(
    *, binding_request: EnterpriseBindingRequest, reviewer: User, reason: str
) -> EnterpriseBindingRequest:
    _check_reviewer(reviewer)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("驳回时必须填写理由")})
    req = EnterpriseBindingRequest.objects.select_for_update().get(pk=binding_request.pk)
    if req.status != BindingStatus.PENDING:
        raise ValidationError(
            _("该申请已处理（%(status)s），不能重复审核") % {"status": req.get_status_display()}
        )
    req.status = BindingStatus.REJECTED
    req.reviewer = reviewer
    req.reason = reason[:500]
    req.decided_at = timezone.now()
    req.save(update_fields=["status", "reviewer", "reason", "decided_at"])
    return req


# --- activation codes -------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedCode:
    activation_code: ActivationCode
    channel: str
    sent_to: str  # masked


def sms_send(*, phone: str, text: str) -> None:
    """Send one SMS through ``settings.SMS_BACKEND`` (imported lazily: the pipeline owns it).

    The backend is a class (or factory) whose instance has ``send(phone=..., text=...)``.
    """
    backend_cls = import_string(settings.SMS_BACKEND)
    backend = backend_cls() if isinstance(backend_cls, type) else backend_cls
    send = getattr(backend, "send", None) or backend
    send(phone=phone, text=text)


def activation_code_issue(*, enterprise: Any, issued_by: User | None = None) -> IssuedCode:
    """Create a single-use code and send it to the enterprise's registered contact
    (SMS to ``contact_phone`` when present, else e-mail to ``contact_email``).

    Issuing again invalidates the earlier open codes; while an open code is younger than
    ``ACTIVATION_CODE_RESEND_SECONDS`` a new one is refused (officials excepted) so nobody can
    flood the contact. When the transport fails the code is withdrawn and a ValidationError
    says so.
    """
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        now = timezone.now()
        open_codes = ActivationCode.objects.filter(
            enterprise=enterprise, used_at__isnull=True, expires_at__gt=now
        )
        official = issued_by is not None and issued_by.is_official
        if not official and open_codes.filter(created_at__gt=now - _resend_interval()).exists():
            raise ValidationError({"credit_code": _("激活码刚刚发送过，请稍后再试")})
        phone = (enterprise.contact_phone or "").strip()
        email = (enterprise.contact_email or "").strip()
        if phone:
            channel, sent_to = ActivationChannel.SMS, mask_phone(phone)
        elif email:
            channel, sent_to = ActivationChannel.EMAIL, mask_email(email)
        else:
            raise ValidationError(
                {"credit_code": _("该企业在市场主体库中没有登记联系人手机号或邮箱，请提交人工审核申请")}
            )
        open_codes.update(expires_at=now)
        code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH))
        record = ActivationCode.objects.create(
            enterprise=enterprise,
            code_hash=_hash_code(code),
            channel=channel,
            sent_to=sent_to,
            issued_by=issued_by,
            expires_at=now + _code_ttl(),
        )
    hours = int(_code_ttl().total_seconds() // 3600)
    text = (
        f"【政策找企业】{enterprise.name}的账号绑定激活码：{code}，{hours}小时内有效，仅可使用一次。"
        "如非本企业人员申请，请忽略。"
    )
    try:
        if channel == ActivationChannel.SMS:
            sms_send(phone=phone, text=text)
        else:
            send_mail("政策找企业 · 企业账号绑定激活码", text, None, [email])
    except Exception as exc:  # any transport failure: the code must not stay usable unseen
        ActivationCode.objects.filter(pk=record.pk).update(expires_at=timezone.now())
        logger.warning("activation code %s for enterprise %s not sent: %s", record.pk, enterprise.pk, exc)
        raise ValidationError({"credit_code": _("激活码发送失败，请稍后再试或提交人工审核申请")}) from exc
    logger.info("activation code %s sent to enterprise %s via %s", record.pk, enterprise.pk, channel)
    return IssuedCode(activation_code=record, channel=channel, sent_to=sent_to)


def activation_code_redeem(*, user: User, credit_code: str, code: str) -> Any:
    """Bind ``user`` to the enterprise when ``code`` is a valid open code for it. Returns the
    enterprise. A used, expired or wrong code changes nothing but the attempt counter
    (after MAX_CODE_ATTEMPTS wrong guesses the open codes are burnt)."""
    _check_user_may_bind(user)
    enterprise = enterprise_by_credit_code(credit_code=credit_code)
    code = (code or "").strip().upper()
    if not code:
        raise ValidationError({"code": _("请填写激活码")})
    digest = _hash_code(code)
    # The attempt counter must survive the failure, so the error is raised after the commit.
    with transaction.atomic():
        now = timezone.now()
        candidates = list(
            ActivationCode.objects.select_for_update()
            .filter(enterprise=enterprise, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
        )
        match = next((c for c in candidates if constant_time_compare(c.code_hash, digest)), None)
        if match is None:
            for c in candidates:
                c.failed_attempts += 1
                if c.failed_attempts >= MAX_CODE_ATTEMPTS:
                    c.expires_at = now
                c.save(update_fields=["failed_attempts", "expires_at"])
        else:
            match.used_at = now
            match.used_by = user
            match.save(update_fields=["used_at", "used_by"])
            locked_user = User.objects.select_for_update().get(pk=user.pk)
            _check_user_may_bind(locked_user)
            _bind(locked_user, enterprise)
    if match is None:
        raise ValidationError({"code": _("激活码错误、已使用或已过期")})
    user.enterprise = enterprise
    return enterprise
