"""Profile changes committed while policies fan out, against real Celery workers: afterwards every
match is the Python evaluator's verdict on the final profile, and every enterprise was last told
what is true (a wrong push was followed by its correction)."""

import random
import time
from collections import defaultdict
from datetime import date

import pytest
from django.db import transaction
from django.utils import timezone

from enterprises.models import Enterprise, IndicatorValue
from matching.bench.city import city_build
from matching.criteria.evaluate import evaluate_result
from matching.models import Match, MatchRun, Notification, RematchRequest
from matching.pipeline.reconcile import matches_reconcile
from matching.profiles import profiles_load
from matching.services import enterprise_rematch_schedule, policy_matching_schedule
from policies.models import Department, Policy
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.services

ENTERPRISES = 30_000
POLICIES = 6  # published one every EVERY changes, so that fan-outs overlap the whole stream
EVERY = 350
BATCH = 5  # changes per transaction, as a feed or a form writes them
BACKLOG = 10  # changes not yet re-matched at most: re-matches run beside the chunks, not after them
THRESHOLDS = [150_000_000 + 10_000_000 * k for k in range(POLICIES)]  # ~30-50 % of the registry


def _policies() -> list[Policy]:
    dept = Department.objects.get_or_create(code="it-dept", defaults={"name": "集成测试局"})[0]
    return [
        Policy.objects.create(
            title=f"营收门槛政策 {k}",
            department=dept,
            status="published",
            criteria={"all": [{"field": "revenue", "period": "last_year", "op": ">", "value": t}]},
            award={"amount": "100000"},
            published_at=timezone.now(),
        )
        for k, t in enumerate(THRESHOLDS)
    ]


def _changes(rows: list[tuple[int, int]], rng: random.Random, n: int) -> list[tuple[int, int]]:
    """``n`` revenue rows moved across one of the thresholds (up or down)."""
    picked = rng.sample(rows, n)
    out = []
    for pk, _enterprise_id in picked:
        t = rng.choice(THRESHOLDS)
        out.append((pk, t + rng.choice([-1, 1]) * rng.randint(1, 9_000_000)))
    return out


def _commit(rows_by_pk: dict[int, int], change: list[tuple[int, int]]) -> None:
    with transaction.atomic():
        for pk, value in change:
            IndicatorValue.objects.filter(pk=pk).update(value=value)
        enterprise_rematch_schedule(enterprise_ids=[rows_by_pk[pk] for pk, _v in change])


def _verdicts(policies: list[Policy]) -> dict[tuple[int, int], str]:
    as_of = timezone.localdate()
    profiles = profiles_load(queryset=Enterprise.objects.all())
    return {
        (p.pk, eid): evaluate_result(p.criteria, profile, as_of=as_of)
        for p in policies
        for eid, profile in profiles.items()
    }


def test_profile_changes_during_fan_outs_leave_no_wrong_match_and_every_wrong_push_is_corrected(start_worker):
    # given a city, six revenue-threshold policies, and four worker processes: two chunks of a
    # policy run side by side with two processes re-matching (as in production, on a shared queue)
    city_build(enterprises=ENTERPRISES, log=lambda *_: None)
    last_year = str(date.today().year - 1)
    rows = list(
        IndicatorValue.objects.filter(
            indicator__code="revenue", period=last_year, value__isnull=False
        ).values_list("pk", "enterprise_id")
    )
    rows_by_pk = dict(rows)
    policies = _policies()
    start_worker(MATCH_CHUNK_SIZE=30_000, concurrency=4)
    rng = random.Random(14)
    # when the policies are published one after another while revenue changes are committed in
    # batches of five, until every run is done
    committed = during = 0
    started = time.monotonic()
    pending = list(policies)
    changed_rows: set[int] = set()
    while True:
        if pending and committed >= (POLICIES - len(pending)) * EVERY:
            with transaction.atomic():
                policy_matching_schedule(policy_id=pending.pop(0).pk, reason="published")
        fanning_out = bool(pending) or MatchRun.objects.exclude(status="done").exists()
        if not fanning_out and committed >= POLICIES * EVERY:
            break
        if RematchRequest.objects.filter(pending=True).count() >= BACKLOG:
            time.sleep(0.01)
            continue
        change = _changes(rows, rng, BATCH)
        changed_rows.update(pk for pk, _value in change)
        _commit(rows_by_pk, change)
        committed += BATCH
        during += BATCH if fanning_out else 0
    fan_out_s = time.monotonic() - started
    wait_for(
        lambda: not RematchRequest.objects.filter(pending=True).exists(),
        timeout=180,
        interval=0.5,
        what="re-matches",
    )
    time.sleep(1)  # the last re-match's commit
    # then every match is the evaluator's verdict on the final profile
    verdicts = _verdicts(policies)
    matches = {
        (m.policy_id, m.enterprise_id): m.status
        for m in Match.objects.filter(policy__in=policies).only("policy_id", "enterprise_id", "status")
    }
    wrong = [
        key
        for key, verdict in verdicts.items()
        if matches.get(key, "ended") != ("ended" if verdict == "not_eligible" else verdict)
    ]
    # and the last thing each enterprise was told about each policy is true: every push that the
    # changes made wrong was followed by its correction ("lost", or the new gain)
    told: dict[tuple[int, int], list[tuple[int, bool, str]]] = defaultdict(list)
    for pid, eid, reason, occurrence in Notification.objects.filter(
        policy__in=policies, channel="inapp"
    ).values_list("policy_id", "enterprise_id", "reason", "occurrence"):
        told[(pid, eid)].append((occurrence, reason == "lost", reason))  # the loss of a gain follows it
    last_told_wrong = [
        key
        for key, verdict in verdicts.items()
        if ((max(told[key])[2] if told[key] else "lost") == "lost") != (verdict == "not_eligible")
    ]
    corrections = sum(1 for notes in told.values() for n in notes if n[2] == "lost")
    # and the nightly reconciliation, checking every changed enterprise, finds nothing to fix
    reconciled = matches_reconcile()
    print(
        f"\nstress: {committed} revenue changes committed ({during} during the fan-outs of {POLICIES} policies, "
        f"{ENTERPRISES} enterprises, {fan_out_s:.1f} s); matches checked {len(verdicts)}, wrong {len(wrong)}; "
        f"last notice wrong {len(last_told_wrong)}; 'lost' notices (gains corrected) {corrections}; "
        f"reconciliation: {reconciled['checked']} enterprises checked, {reconciled['fixed']} matches fixed "
        f"({reconciled['gained']} gained, {reconciled['lost']} lost, {reconciled['updated']} updated)"
    )
    assert during >= 1_000, "the changes must overlap the fan-outs"
    assert wrong == [], wrong[:20]
    assert last_told_wrong == [], last_told_wrong[:20]
    changed = len({rows_by_pk[pk] for pk in changed_rows})
    assert (reconciled["checked"], reconciled["fixed"]) == (changed, 0)
