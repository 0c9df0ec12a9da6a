"""Writes for the API's own credentials. Domain writes live in the domain apps."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from api.models import ALL_SCOPES, ApiKey, AuthToken, secret_hash

TOKEN_TTL = timedelta(hours=getattr(settings, "API_TOKEN_TTL_HOURS", 12))
# last_used_at is written at most once a minute per credential: a hot key must not
# turn every read into a write.
LAST_USED_GRANULARITY = timedelta(minutes=1)


@transaction.atomic
def token_issue(*, user) -> tuple[AuthToken, str]:
    """A new login token for ``user``; the raw token is returned once and never stored."""
    import secrets

    raw = secrets.token_urlsafe(32)
    token = AuthToken.objects.create(
        user=user, key_hash=secret_hash(raw), prefix=raw[:8], expires_at=timezone.now() + TOKEN_TTL
    )
    AuthToken.objects.filter(user=user, expires_at__lte=timezone.now()).delete()
    return token, raw


@transaction.atomic
def api_key_issue(
    *,
    name: str,
    scopes: list[str],
    organisation: str = "",
    account=None,
    department=None,
    created_by=None,
    expires_at=None,
) -> tuple[ApiKey, str]:
    """A new integrator key; the raw key is returned once and never stored."""
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown:
        from django.core.exceptions import ValidationError

        raise ValidationError({"scopes": f"未知的权限范围：{', '.join(unknown)}"})
    if account is None:
        account = integrator_account_ensure(name=organisation or name)
    prefix, raw = ApiKey.new_secret()
    key = ApiKey.objects.create(
        account=account,
        name=name,
        organisation=organisation,
        prefix=prefix,
        key_hash=secret_hash(raw),
        scopes=sorted(set(scopes)),
        department=department,
        created_by=created_by,
        expires_at=expires_at,
    )
    return key, raw


@transaction.atomic
def integrator_account_ensure(*, name: str):
    """The account of an integrating platform (no usable password, never an official)."""
    from django.contrib.auth import get_user_model
    from django.utils.text import slugify

    User = get_user_model()
    username = f"platform-{slugify(name, allow_unicode=False) or secret_hash(name)[:10]}"[:150]
    user, created = User.objects.get_or_create(username=username, defaults={"first_name": name[:150]})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def api_key_revoke(*, key: ApiKey) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def credential_touch(*, obj: ApiKey | AuthToken) -> None:
    """Record use, at most once per minute, with a conditional UPDATE (no read-modify-write)."""
    now = timezone.now()
    if obj.last_used_at is None or now - obj.last_used_at >= LAST_USED_GRANULARITY:
        type(obj).objects.filter(pk=obj.pk).update(last_used_at=now)
        obj.last_used_at = now
