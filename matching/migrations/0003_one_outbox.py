"""One outbox: ``Delivery`` carries every external message (match pushes, inbox messages sent
on as e-mail or SMS, and webhook events), so that one claimed status machine sends them all.

The rows of the old ``WebhookDelivery`` table are copied into ``Delivery`` (subscription,
event, key, body, status, attempts, result), the table is dropped, and ``WebhookDelivery``
becomes a proxy: the webhook rows of ``Delivery``. A copied row still ``sending`` gets its
``next_attempt_at`` as its claim time, the clock the old repair went by.
"""

import django.db.models.deletion
from django.db import migrations, models

COPY = """
INSERT INTO matching_delivery (
    enterprise_id, channel, digest, recipient, subscription_id, event, event_key, payload, status,
    attempts, next_attempt_at, claimed_at, sent_at, response_code, error, duration_ms, created_at
)
SELECT s.enterprise_id, 'webhook', false, '', w.subscription_id, w.event, w.event_key, w.payload, w.status,
       w.attempts, w.next_attempt_at, CASE WHEN w.status = 'sending' THEN w.next_attempt_at END, w.sent_at,
       w.response_code, w.error, w.duration_ms, w.created_at
FROM matching_webhookdelivery w JOIN matching_webhooksubscription s ON s.id = w.subscription_id
ORDER BY w.id
"""

COPY_BACK = [
    """
    INSERT INTO matching_webhookdelivery (
        subscription_id, event, event_key, payload, status, attempts, next_attempt_at, response_code,
        error, duration_ms, created_at, sent_at
    )
    SELECT subscription_id, event, event_key, COALESCE(payload, '{}'), status, attempts, next_attempt_at,
           response_code, error, duration_ms, created_at, sent_at
    FROM matching_delivery WHERE subscription_id IS NOT NULL ORDER BY id
    """,
    "DELETE FROM matching_delivery WHERE subscription_id IS NOT NULL OR enterprise_id IS NULL",
]


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0004_indicator_value_set_indexes"),
        ("inbox", "0001_initial"),
        ("matching", "0002_derived_tags"),
    ]

    operations = [
        migrations.AlterField(
            model_name="delivery",
            name="enterprise",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="enterprises.enterprise",
                verbose_name="企业",
            ),
        ),
        migrations.AddField(
            model_name="delivery",
            name="message",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="deliveries",
                to="inbox.message",
                verbose_name="站内消息",
            ),
        ),
        # related_name "+" while the old table still holds the "deliveries" accessor
        migrations.AddField(
            model_name="delivery",
            name="subscription",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="matching.webhooksubscription",
                verbose_name="订阅",
            ),
        ),
        migrations.AddField(
            model_name="delivery",
            name="event",
            field=models.CharField(blank=True, default="", max_length=30, verbose_name="事件"),
        ),
        migrations.AddField(
            model_name="delivery",
            name="event_key",
            field=models.CharField(blank=True, default="", max_length=120, verbose_name="事件键"),
        ),
        migrations.AddField(
            model_name="delivery",
            name="payload",
            field=models.JSONField(blank=True, null=True, verbose_name="内容"),
        ),
        migrations.AddField(
            model_name="delivery",
            name="response_code",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="响应码"),
        ),
        migrations.RunSQL(COPY, reverse_sql=COPY_BACK),
        migrations.DeleteModel(name="WebhookDelivery"),
        migrations.AlterField(
            model_name="delivery",
            name="subscription",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="deliveries",
                to="matching.webhooksubscription",
                verbose_name="订阅",
            ),
        ),
        migrations.AddConstraint(
            model_name="delivery",
            constraint=models.UniqueConstraint(
                condition=models.Q(("subscription__isnull", False)),
                fields=("subscription", "event_key"),
                name="delivery_webhook_once",
            ),
        ),
        migrations.AddConstraint(
            model_name="delivery",
            constraint=models.UniqueConstraint(
                condition=models.Q(("message__isnull", False)),
                fields=("message", "channel"),
                name="delivery_message_once",
            ),
        ),
        migrations.CreateModel(
            name="WebhookDelivery",
            fields=[],
            options={
                "verbose_name": "Webhook 投递",
                "verbose_name_plural": "Webhook 投递",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("matching.delivery",),
        ),
    ]
