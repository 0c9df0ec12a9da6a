"""Account recovery (忘记密码): a reset link by e-mail or a 6-digit code by SMS, sent to the
contact registered on the account itself (``User.email`` / ``User.phone``).

Rules (docs/accounts.md, "Account recovery"):

- The answer to a request never says whether the account exists: the view shows the same page
  whatever happens here, and this module raises nothing about the account.
- Only an HMAC of a link's secret or of a code is stored. A link lives
  ``PASSWORD_RESET_LINK_TTL_MINUTES``, a code ``PASSWORD_RESET_CODE_TTL_MINUTES``; each is used
  once; a newer request supersedes the open ones; five wrong codes burn the code; any password
  change or login after the request closes it.
- Per account at most ``PASSWORD_RESET_ACCOUNT_PER_HOUR`` sends an hour (silently); per client
  address and per typed identifier the view refuses visibly (``rate_limit_hit``), which says
  nothing about the account either.
- Officials (and staff, superusers) do not recover their passwords themselves: an administrator
  resets them (an initial password to change at the next login, the second factor untouched).
  They are sent a notice saying so instead of a link.
- A completed reset sets the password (the user's validators apply), closes every open reset
  of the account, lifts a django-axes lockout, ends the account's other sessions (their session
  hash no longer matches) and writes an audit entry naming the user, the channel and the address.
  Nobody is logged in by it: the user signs in afterwards, through every factor the login asks.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import timedelta

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from portal.links import absolute_url

from .masking import mask_email, mask_phone
from .models import ActivationChannel, PasswordReset, User
from .validators import applies_to_official

logger = logging.getLogger(__name__)

MAX_CODE_ATTEMPTS = 5
CODE_DIGITS = 6
VERIFY_PER_IP_PER_HOUR = 60  # code and link checks per client address
_HMAC_SALT = "portal.accounts.password_reset"
_PHONE_RE = re.compile(r"^1\d{10}$")


# --- helpers -----------------------------------------------------------------------------


def _hash(secret: str) -> str:
    return salted_hmac(_HMAC_SALT, secret, algorithm="sha256").hexdigest()


def _code_hash(user_id: int, code: str) -> str:
    return _hash(f"code:{user_id}:{code}")


def normalize_phone(value: str) -> str:
    """``+86 138-1234-5678`` → ``13812345678``; anything else → ``""``."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if _PHONE_RE.match(digits) else ""


def normalize_identifier(identifier: str) -> str:
    return (identifier or "").strip()[:150]


def find_users(identifier: str) -> list[User]:
    """Active accounts an identifier names: the username, else the registered e-mail address,
    else the registered mobile number (up to 5; several share an address now and then)."""
    ident = normalize_identifier(identifier)
    if not ident:
        return []
    active = User.objects.filter(is_active=True)
    by_name = list(active.filter(username=ident)[:1])
    if by_name:
        return by_name
    if "@" in ident:
        return list(active.filter(email__iexact=ident).order_by("pk")[:5])
    phone = normalize_phone(ident)
    if phone:
        return list(active.filter(phone=phone).order_by("pk")[:5])
    return []


def rate_limit_hit(key: str, limit: int, window_seconds: int = 3600) -> bool:
    """Count one request under ``key`` in a fixed window (the cache: Redis in production);
    True once more than ``limit`` were counted."""
    if limit <= 0:
        return False
    full = "pwreset:" + hashlib.sha256(key.encode()).hexdigest()
    if cache.add(full, 1, timeout=window_seconds):
        return False
    try:
        count = cache.incr(full)
    except ValueError:  # expired between add and incr
        cache.add(full, 1, timeout=window_seconds)
        return False
    return count > limit


def request_limited(*, identifier: str, client_ip: str | None) -> bool:
    """The visible limits of a request: per client address and per typed identifier (neither
    depends on whether the account exists)."""
    ip_hit = rate_limit_hit(f"ip:{client_ip or '-'}", settings.PASSWORD_RESET_IP_PER_HOUR)
    ident = normalize_identifier(identifier).lower()
    ident_hit = rate_limit_hit(f"ident:{ident}", settings.PASSWORD_RESET_IDENTIFIER_PER_HOUR)
    return ip_hit or ident_hit


def verify_limited(*, client_ip: str | None) -> bool:
    return rate_limit_hit(f"verify:{client_ip or '-'}", VERIFY_PER_IP_PER_HOUR)


def _contact(user: User, channel: str) -> str:
    if channel == ActivationChannel.SMS:
        return normalize_phone(user.phone or "")
    return (user.email or "").strip()


def _deliver(channel: str, contact: str, subject: str, text: str) -> None:
    from .services import sms_send

    if channel == ActivationChannel.SMS:
        sms_send(phone=contact, text=text)
    else:
        send_mail(subject, text, None, [contact])


def _notice_once(key: str, channel: str, contact: str, subject: str, text: str) -> None:
    """A notice instead of a secret, at most once an hour per key."""
    if not cache.add("pwreset:notice:" + hashlib.sha256(key.encode()).hexdigest(), 1, timeout=3600):
        return
    try:
        _deliver(channel, contact, subject, text)
    except Exception as exc:  # a notice is a courtesy; its failure must not show
        logger.warning("password reset notice not sent: %s", exc)


# --- request ------------------------------------------------------------------------------


def password_reset_request(*, identifier: str, channel: str, client_ip: str | None) -> None:
    """Send a reset link (e-mail) or code (SMS) to the account the identifier names, if there is
    exactly one active enterprise-side account with a contact for that channel. Returns nothing
    and raises nothing about the account: the caller answers the same in every case."""
    if channel not in (ActivationChannel.EMAIL, ActivationChannel.SMS):
        return
    users = find_users(identifier)
    if len(users) > 1:
        contact = _contact(users[0], channel)
        if contact:
            _notice_once(
                f"ambiguous:{channel}:{contact.lower()}",
                channel,
                contact,
                "政策找企业 · 找回密码",
                "【政策找企业】有人申请找回密码，但该联系方式登记在多个账号上。"
                "请在找回密码页面输入用户名再试。如非本人操作，请忽略。",
            )
        return
    if not users:
        return
    user = users[0]
    contact = _contact(user, channel)
    if not contact:
        return
    if applies_to_official(user):
        _notice_once(
            f"official:{user.pk}",
            channel,
            contact,
            "政策找企业 · 找回密码",
            f"【政策找企业】有人为账号 {user.username} 申请找回密码。政府工作人员账号不能自助找回密码，"
            "请联系本单位的系统管理员重置（重置后首次登录须修改密码，并照常完成第二重验证）。"
            "如非本人操作，请告知系统管理员。",
        )
        return
    _issue(user=user, channel=channel, contact=contact, client_ip=client_ip)


def _issue(*, user: User, channel: str, contact: str, client_ip: str | None) -> None:
    now = timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one request at a time
        recent = PasswordReset.objects.filter(user=user, created_at__gt=now - timedelta(hours=1)).count()
        if recent >= settings.PASSWORD_RESET_ACCOUNT_PER_HOUR:
            logger.info("password reset for user %s not sent: account limit", user.pk)
            return
        # a newer request supersedes every open one
        PasswordReset.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(
            expires_at=now
        )
        if channel == ActivationChannel.SMS:
            secret = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
            digest = _code_hash(user.pk, secret)
            ttl = settings.PASSWORD_RESET_CODE_TTL_MINUTES
            sent_to = mask_phone(contact)
        else:
            secret = secrets.token_urlsafe(32)
            digest = _hash(secret)
            ttl = settings.PASSWORD_RESET_LINK_TTL_MINUTES
            sent_to = mask_email(contact)
        record = PasswordReset.objects.create(
            user=user,
            channel=channel,
            secret_hash=digest,
            sent_to=sent_to,
            requested_from=client_ip,
            expires_at=now + timedelta(minutes=ttl),
        )
    if channel == ActivationChannel.SMS:
        subject = ""
        text = (
            f"【政策找企业】您正在找回账号 {user.username} 的密码，验证码：{secret}，{ttl}分钟内有效，"
            "仅可使用一次。请勿告诉他人；如非本人操作，请忽略。"
        )
    else:
        # settings.SITE_URL, never the request's Host header (a forged Host must not receive the link)
        link = absolute_url("accounts:password_reset_link", secret)
        subject = "政策找企业 · 重置密码"
        text = (
            f"您好，{user.username}：\n\n有人（希望是您本人）申请重置您在政策找企业的账号密码。"
            f"请在 {ttl} 分钟内打开下面的链接设置新密码，链接仅可使用一次：\n\n{link}\n\n"
            "如非本人操作，请忽略本邮件，您的密码不会改变。\n\n"
            f"Someone asked to reset the password of {user.username}. Open the link above within "
            f"{ttl} minutes to set a new one (it works once). If it was not you, ignore this e-mail."
        )
    try:
        _deliver(channel, contact, subject, text)
    except Exception as exc:  # transport failure: the secret must not stay usable unseen
        PasswordReset.objects.filter(pk=record.pk).update(expires_at=timezone.now())
        logger.warning("password reset %s for user %s not sent: %s", record.pk, user.pk, exc)
        return
    logger.info("password reset %s sent to user %s via %s", record.pk, user.pk, channel)


# --- verification -------------------------------------------------------------------------


def _is_open(reset: PasswordReset | None) -> bool:
    if reset is None or reset.used_at is not None or reset.expires_at <= timezone.now():
        return False
    user = reset.user
    if not user.is_active or applies_to_official(user):
        return False
    # a password set or a login after the request closes it (Django's token does the same)
    for moment in (user.password_changed_at, user.last_login):
        if moment is not None and moment > reset.created_at:
            return False
    return True


def password_reset_from_link(token: str) -> PasswordReset | None:
    """The open e-mail reset this link's secret belongs to, else None. Opening the link does not
    use it up (mail scanners open links): setting the password does."""
    token = (token or "").strip()
    if not token or len(token) > 100:
        return None
    reset = (
        PasswordReset.objects.select_related("user")
        .filter(channel=ActivationChannel.EMAIL, secret_hash=_hash(token))
        .first()
    )
    return reset if _is_open(reset) else None


def password_reset_check_code(*, identifier: str, code: str) -> PasswordReset | None:
    """The open SMS reset of the account ``identifier`` names when ``code`` is its code, marked
    verified (it cannot be verified again); else None. A wrong code counts against the open code;
    the fifth wrong one burns it. An unknown account answers exactly like a wrong code."""
    users = find_users(identifier)
    code = re.sub(r"\s", "", code or "")
    if len(users) != 1:
        return None
    user = users[0]
    now = timezone.now()
    with transaction.atomic():
        reset = (
            PasswordReset.objects.select_for_update()
            .select_related("user")
            .filter(
                user=user,
                channel=ActivationChannel.SMS,
                used_at__isnull=True,
                verified_at__isnull=True,
                expires_at__gt=now,
            )
            .order_by("-created_at")
            .first()
        )
        if not _is_open(reset):
            return None
        if (
            len(code) == CODE_DIGITS
            and code.isdigit()
            and constant_time_compare(reset.secret_hash, _code_hash(user.pk, code))
        ):
            reset.verified_at = now
            # the person now sets a password: give them the code's lifetime again to do it
            reset.expires_at = now + timedelta(minutes=settings.PASSWORD_RESET_CODE_TTL_MINUTES)
            reset.save(update_fields=["verified_at", "expires_at"])
            return reset
        reset.failed_attempts += 1
        fields = ["failed_attempts"]
        if reset.failed_attempts >= MAX_CODE_ATTEMPTS:
            reset.expires_at = now
            fields.append("expires_at")
        reset.save(update_fields=fields)
    return None


def password_reset_usable(*, reset_id: int | None, token: str | None) -> PasswordReset | None:
    """The reset a session may complete: an open e-mail reset whose link secret the session
    holds, or an open SMS reset whose code this session verified."""
    if not reset_id:
        return None
    reset = PasswordReset.objects.select_related("user").filter(pk=reset_id).first()
    if not _is_open(reset):
        return None
    if reset.channel == ActivationChannel.EMAIL:
        return reset if token and constant_time_compare(reset.secret_hash, _hash(token)) else None
    return reset if reset.verified_at is not None else None


# --- completion ---------------------------------------------------------------------------


def password_reset_complete(
    *, reset_id: int, token: str | None, password: str, client_ip: str | None
) -> User:
    """Set the new password. Raises ValidationError for a password the account's validators
    refuse, ``PasswordReset.DoesNotExist`` when the reset is no longer usable."""
    with transaction.atomic():
        locked = PasswordReset.objects.select_for_update().filter(pk=reset_id).first()
        reset = password_reset_usable(reset_id=locked.pk if locked else None, token=token)
        if reset is None:
            raise PasswordReset.DoesNotExist
        user = User.objects.select_for_update().get(pk=reset.user_id)
        validate_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password", "password_changed_at"])
        now = timezone.now()
        PasswordReset.objects.filter(pk=reset.pk).update(used_at=now)
        PasswordReset.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(
            expires_at=now
        )
        LogEntry.objects.log_create(
            user,
            force_log=True,
            action=LogEntry.Action.UPDATE,
            changes={"password": ["***", "***"]},
            actor=user,
            remote_addr=client_ip,
            additional_data={"event": "password_reset", "channel": reset.channel, "reset_id": reset.pk},
        )
    _after_reset(user, reset.channel)
    return user


def _after_reset(user: User, channel: str) -> None:
    if settings.AXES_ENABLED:
        from axes.utils import reset as axes_reset

        axes_reset(username=user.username)
    contact = _contact(user, channel)
    if contact:
        try:
            _deliver(
                channel,
                contact,
                "政策找企业 · 密码已重置",
                f"【政策找企业】账号 {user.username} 的密码已于 "
                f"{timezone.localtime():%Y-%m-%d %H:%M} 通过找回密码重置，其他设备上的登录已退出。"
                "如非本人操作，请立即联系客服。",
            )
        except Exception as exc:
            logger.warning("password reset confirmation for user %s not sent: %s", user.pk, exc)
