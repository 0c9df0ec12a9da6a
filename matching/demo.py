"""Demo city, matching part: derived profile tags, then every published policy matched
(synchronously, whatever the Celery mode) so that the demo enterprises have matches and
in-app notifications. Idempotent: a policy whose current version has a finished run is
left alone."""

from __future__ import annotations

from django.db import transaction

from enterprises.demo import DEMO_ENTERPRISE_CREDIT_CODE
from enterprises.models import Enterprise
from matching.models import (
    ChannelPreference,
    Match,
    MatchChunk,
    MatchRun,
    Notification,
    RematchRequest,
    RunStatus,
)
from matching.pipeline import policy_run
from matching.pipeline.profile_tags import derived_tags_refresh
from matching.pipeline.rematch import enterprises_rematch
from matching.services import channel_preferences_set, policy_matching_schedule
from policies.models import Policy, PolicyStatus

DEMO_LOGINS: list[tuple[str, str, str]] = []


def _demo_enterprise_id() -> int | None:
    return (
        Enterprise.objects.filter(credit_code=DEMO_ENTERPRISE_CREDIT_CODE)
        .values_list("pk", flat=True)
        .first()
    )


def policies_match_now(*, policy_ids: list[int], reason: str = "published") -> int:
    """Run each policy's matching in this process, chunk by chunk. Returns runs executed."""
    runs = 0
    for pid in policy_ids:
        with transaction.atomic():
            policy_matching_schedule(policy_id=pid, reason=reason)
        run = MatchRun.objects.filter(policy_id=pid).latest("pk")
        policy_run.run_start(run_id=run.pk)  # no-op if the eager task started it already
        for chunk_id in MatchChunk.objects.filter(run=run, done=False).values_list("pk", flat=True):
            policy_run.chunk_run(chunk_id=chunk_id)
        policy_run.run_totals_close(run_id=run.pk)
        runs += MatchRun.objects.filter(pk=run.pk, status=RunStatus.DONE).count()
    return runs


def load(enterprises: int = 0, seed: int = 0) -> str:
    derived = derived_tags_refresh()
    demo_id = _demo_enterprise_id()
    if demo_id is not None:
        if not ChannelPreference.objects.filter(enterprise_id=demo_id).exists():
            channel_preferences_set(
                enterprise_id=demo_id, email=True, email_address="demo@zhisuan.example.com", digest=True
            )
    published = dict(Policy.objects.filter(status=PolicyStatus.PUBLISHED).values_list("pk", "version"))
    done = set(
        MatchRun.objects.filter(policy_id__in=published, status=RunStatus.DONE)
        .exclude(reason__in=["withdrawn", "expired"])
        .values_list("policy_id", "policy_version")
    )
    todo = [pid for pid, ver in published.items() if (pid, ver) not in done]
    runs = policies_match_now(policy_ids=todo)
    pending = list(RematchRequest.objects.filter(pending=True).values_list("enterprise_id", flat=True)[:2000])
    if pending:
        enterprises_rematch(enterprise_ids=pending)
    matches = Match.objects.exclude(status="ended").count()
    notes = Notification.objects.filter(channel="inapp").count()
    return (
        f"{runs} policy runs, {matches} active matches, {notes} in-app notifications, "
        f"{derived} derived tag changes"
    )
