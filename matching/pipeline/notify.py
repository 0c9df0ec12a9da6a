"""Services over the in-app outbox and the channel preferences."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.models import ChannelPreference, Notification


@transaction.atomic
def notification_mark_read(*, notification_id: int, enterprise_id: int) -> bool:
    """Mark one in-app notification of this enterprise read. False if it is not theirs."""
    updated = Notification.objects.filter(
        pk=notification_id, enterprise_id=enterprise_id, channel="inapp", read_at__isnull=True
    ).update(read_at=timezone.now())
    if updated:
        return True
    return Notification.objects.filter(
        pk=notification_id, enterprise_id=enterprise_id, channel="inapp"
    ).exists()


@transaction.atomic
def notifications_mark_all_read(*, enterprise_id: int) -> int:
    return Notification.objects.filter(
        enterprise_id=enterprise_id, channel="inapp", read_at__isnull=True
    ).update(read_at=timezone.now())


_PREF_FIELDS = ("email", "email_address", "sms", "sms_phone", "webhook", "digest")


@transaction.atomic
def channel_preferences_set(*, enterprise_id: int, **values) -> ChannelPreference:
    """Set an enterprise's channels: email, email_address, sms, sms_phone, webhook, digest.

    In-app is always on. Turning on a channel without its address is an error;
    any change of channels resubscribes an unsubscribed enterprise.
    """
    unknown = set(values) - set(_PREF_FIELDS)
    if unknown:
        raise ValidationError({k: _("未知的推送设置项") for k in sorted(unknown)})
    pref, _created = ChannelPreference.objects.select_for_update().get_or_create(enterprise_id=enterprise_id)
    for key, value in values.items():
        setattr(pref, key, value)
    errors = {}
    if pref.email and not pref.email_address:
        errors["email_address"] = _("开启邮件推送需要填写接收邮箱")
    if pref.sms and not pref.sms_phone:
        errors["sms_phone"] = _("开启短信推送需要填写接收手机号")
    if errors:
        raise ValidationError(errors)
    pref.full_clean(exclude=["enterprise", "unsubscribe_token"])
    pref.unsubscribed_at = None
    pref.save()
    return pref


@transaction.atomic
def unsubscribe_by_token(*, token: str) -> ChannelPreference | None:
    """One-click unsubscribe from every external channel (in-app stays). None if unknown."""
    pref = ChannelPreference.objects.select_for_update().filter(unsubscribe_token=token).first()
    if pref is None:
        return None
    if pref.unsubscribed_at is None:
        pref.unsubscribed_at = timezone.now()
        pref.save(update_fields=["unsubscribed_at", "updated_at"])
    return pref
