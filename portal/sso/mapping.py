"""From the claims of a verified identity to a portal user (docs/accounts.md "Single sign-on").

1. A row of ``SsoIdentity`` for (issuer, subject) — or, while its subject is not yet known, for
   (issuer, verified e-mail), whose subject the first sign-in then records — names the user.
   Administrators keep officials' rows in the admin.
2. Otherwise an identity whose claims carry a unified social credit code (claim
   ``OIDC_CREDIT_CODE_CLAIM``, e.g. the legal-person identity of an 电子营业执照) signs in as an
   enterprise user bound to that enterprise of the registry; the user and its row are created at
   the first sign-in.
3. Anything else is refused with a reason the user can act on (``SsoRefused``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import Enterprise
from enterprises.reference.credit_codes import validate_credit_code

from .config import normalize_issuer
from .models import SsoIdentity


class SsoRefused(Exception):
    """A verified identity that may not sign in here; ``message`` is shown to the person."""

    def __init__(self, message: str, *, reason: str):
        super().__init__(message)
        self.message = message
        self.reason = reason


@dataclass(frozen=True)
class Resolution:
    user: object
    identity: SsoIdentity
    created: bool  # the user was created by this sign-in
    credit_code: str = ""


def _verified_email(claims: dict) -> str:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or claims.get("email_verified") is False:
        return ""
    return email.strip().lower()


def _credit_code_claim(claims: dict) -> str:
    value = claims.get(getattr(settings, "OIDC_CREDIT_CODE_CLAIM", "credit_code") or "credit_code")
    return value.strip() if isinstance(value, str) else ""


def _enterprise_for(raw_code: str) -> Enterprise:
    try:
        check = validate_credit_code(raw_code)
    except ValidationError:
        raise SsoRefused(
            _("认证服务提供的统一社会信用代码（%(code)s）不符合国家标准，无法登录。请联系认证服务核实。")
            % {"code": raw_code[:40]},
            reason="credit_code_invalid",
        ) from None
    enterprise = Enterprise.objects.filter(credit_code=check.code).first()
    if enterprise is None:
        raise SsoRefused(
            _(
                "统一社会信用代码为 %(code)s 的企业尚未在本平台企业库登记，暂不能登录。"
                "请联系所在区县（开发区）的企业服务部门登记后再试。"
            )
            % {"code": check.code},
            reason="enterprise_unknown",
        )
    return enterprise


def _username_for(issuer: str, subject: str, credit_code: str) -> str:
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:10]
    return f"sso-{credit_code}-{digest}"


def resolve(claims: dict, *, issuer: str) -> Resolution:
    """The user this identity signs in as (created for an enterprise's first sign-in), or
    ``SsoRefused``. Two first sign-ins of one identity at once: the second one's insert fails on
    the unique constraint and it finds the first one's row."""
    try:
        return _resolve_once(claims, issuer=issuer)
    except IntegrityError:
        return _resolve_once(claims, issuer=issuer)


def _resolve_once(claims: dict, *, issuer: str) -> Resolution:
    issuer = normalize_issuer(issuer)
    subject = claims.get("sub")
    subject = str(subject).strip() if subject not in (None, "") else ""
    if not issuer or not subject:
        raise SsoRefused(_("认证服务返回的身份信息不完整，无法登录。"), reason="claims_incomplete")
    email = _verified_email(claims)
    raw_code = _credit_code_claim(claims)
    User = get_user_model()
    with transaction.atomic():
        identity = SsoIdentity.objects.select_for_update().filter(issuer=issuer, subject=subject).first()
        if identity is None and email:
            identity = (
                SsoIdentity.objects.select_for_update().filter(issuer=issuer, subject="", email=email).first()
            )
            if identity is not None:
                identity.subject = subject  # pinned: from now on the subject decides
        if identity is not None:
            user = identity.user
            if not user.is_active:
                raise SsoRefused(_("关联的本平台账号已停用，请联系管理员。"), reason="user_inactive")
            if raw_code and user.enterprise_id and not user.is_official:
                enterprise = _enterprise_for(raw_code)
                if enterprise.pk != user.enterprise_id:
                    raise SsoRefused(
                        _("认证服务提供的企业与该账号绑定的企业不一致，无法登录。请联系管理员。"),
                        reason="enterprise_mismatch",
                    )
            identity.last_login_at = timezone.now()
            identity.save()
            return Resolution(user=user, identity=identity, created=False)
        if not raw_code:
            raise SsoRefused(
                _(
                    "您的统一身份认证账号尚未关联本平台账号。企业请使用电子营业执照（法人身份）登录；"
                    "政府工作人员请联系本平台管理员添加账号关联。"
                ),
                reason="no_mapping",
            )
        enterprise = _enterprise_for(raw_code)
        name = claims.get("name") if isinstance(claims.get("name"), str) else ""
        user = User(
            username=_username_for(issuer, subject, enterprise.credit_code),
            email=email,
            first_name=(name or "")[:150],
            enterprise=enterprise,
        )
        user.set_unusable_password()
        user.save()
        identity = SsoIdentity.objects.create(
            issuer=issuer,
            subject=subject,
            email=email,
            user=user,
            note="电子营业执照首次登录自动创建",  # data, not a message
            last_login_at=timezone.now(),
        )
        return Resolution(user=user, identity=identity, created=True, credit_code=enterprise.credit_code)
