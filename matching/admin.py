from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from matching import tasks
from matching.models import (
    ChannelPreference,
    Delivery,
    DeliveryStatus,
    MatchRun,
    Notification,
    WebhookDelivery,
    WebhookSubscription,
)
from matching.pipeline.deliver import delivery_retry
from matching.pipeline.queue import enqueue_now
from matching.webhooks import webhook_url_check


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log of every channel; failed and dead deliveries are the dead-letter queue."""

    list_display = (
        "id",
        "channel",
        "enterprise_id",
        "digest",
        "message_id",
        "subscription_id",
        "event",
        "status",
        "attempts",
        "next_attempt_at",
        "response_code",
        "duration_ms",
        "error",
    )
    list_filter = ("status", "channel", "digest")
    search_fields = ("=enterprise__id", "recipient", "event", "error")
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["retry"]
    list_select_related = False

    @admin.action(description=_("重新投递所选失败/放弃的消息"))
    def retry(self, request, queryset):
        n = delivery_retry(
            delivery_ids=list(
                queryset.filter(status__in=[DeliveryStatus.FAILED, DeliveryStatus.DEAD]).values_list(
                    "pk", flat=True
                )
            )
        )
        if n:
            enqueue_now(tasks.deliveries_send)
        self.message_user(request, _("已重新排队 %(n)d 条") % {"n": n}, messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(DeliveryAdmin):
    """The same deliveries, those that are signed POSTs to an integrator's subscription."""

    list_display = (
        "id",
        "subscription",
        "event",
        "status",
        "attempts",
        "response_code",
        "duration_ms",
        "error",
    )
    list_filter = ("status", "event")
    list_select_related = ("subscription",)


class WebhookSubscriptionForm(forms.ModelForm):
    class Meta:
        model = WebhookSubscription
        fields = ["owner", "enterprise", "url", "events", "secret", "active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            webhook_url_check(url)  # the same check as the API's (public HTTPS targets)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["url"]) from None
        return url


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = WebhookSubscriptionForm
    list_display = ("id", "url", "enterprise", "owner", "active", "created_at")
    list_filter = ("active",)
    raw_id_fields = ("enterprise", "owner")


@admin.register(ChannelPreference)
class ChannelPreferenceAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "email", "sms", "webhook", "digest", "unsubscribed_at")
    raw_id_fields = ("enterprise",)
    readonly_fields = ("unsubscribe_token",)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "enterprise_id",
        "policy_id",
        "policy_version",
        "channel",
        "reason",
        "created_at",
        "read_at",
    )
    list_filter = ("channel", "reason")
    search_fields = ("=enterprise__id", "=policy__id")
    show_full_result_count = False
    readonly_fields = (
        "enterprise",
        "policy",
        "policy_version",
        "channel",
        "reason",
        "created_at",
        "read_at",
        "delivery",
    )


@admin.register(MatchRun)
class MatchRunAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "policy_id",
        "policy_version",
        "reason",
        "status",
        "matched",
        "ended",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "reason")
    readonly_fields = (
        "policy",
        "policy_version",
        "reason",
        "status",
        "created_at",
        "started_at",
        "finished_at",
        "matched",
        "ended",
    )
