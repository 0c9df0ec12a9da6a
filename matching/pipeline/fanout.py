"""Channel fan-out: external-channel outbox rows for the in-app rows just written.

Driven from the (small) preference table through the notification unique index,
so it costs next to nothing for a range where few enterprises chose e-mail, SMS or
webhook. Idempotent (``ON CONFLICT DO NOTHING``).
"""

from __future__ import annotations

from django.db import connection

_CHANNELS = "(SELECT 'email' AS c UNION ALL SELECT 'sms' UNION ALL SELECT 'webhook') ch"


def external_notifications_fanout(
    *, policy_id: int | None, policy_version: int | None, id_from: int, id_to: int, now
) -> int:
    policy_filter = ""
    params: list = [now, id_from, id_to]
    if policy_id is not None:
        policy_filter = "AND n.policy_id = %s AND n.policy_version = %s"
        params += [policy_id, policy_version]
    # as the ORM stores it (SQLite keeps text; the re-match writes its in-app rows through the ORM)
    params.append(connection.ops.adapt_datetimefield_value(now))
    with connection.cursor() as cur:
        cur.execute(
            f"""
            INSERT INTO matching_notification
                (enterprise_id, policy_id, policy_version, channel, reason, occurrence, created_at)
            SELECT n.enterprise_id, n.policy_id, n.policy_version, ch.c, n.reason, n.occurrence, %s
            FROM matching_channelpreference p
            JOIN {_CHANNELS} ON (ch.c = 'email' AND p.email) OR (ch.c = 'sms' AND p.sms)
                               OR (ch.c = 'webhook' AND p.webhook)
            JOIN matching_notification n ON n.enterprise_id = p.enterprise_id AND n.channel = 'inapp'
            WHERE p.unsubscribed_at IS NULL AND p.enterprise_id >= %s AND p.enterprise_id < %s
              {policy_filter} AND n.created_at = %s
            ON CONFLICT DO NOTHING
            """,
            params,
        )
        return cur.rowcount
