"""Every change of verdict is told once per occurrence; integrators hear ``policy.matched`` once
per run that found something; the nightly reconciliation fixes a match nobody corrected."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from enterprises.models import IndicatorValue
from matching.models import Match, MatchRun, Notification, ReconcileRun, RematchRequest, WebhookDelivery
from matching.pipeline.reconcile import matches_reconcile
from matching.pipeline.rematch import enterprise_rematch
from tests.factories.matching import ChannelPreferenceFactory, WebhookSubscriptionFactory
from tests.factories.policies import PolicyFactory
from tests.matching.test_engine import TREE, publish

pytestmark = pytest.mark.django_db


def _revenue(enterprise, value: str) -> None:
    IndicatorValue.objects.filter(enterprise=enterprise).update(value=Decimal(value))


def _occurrences(policy, enterprise, channel="inapp"):
    return sorted(
        Notification.objects.filter(policy=policy, enterprise=enterprise, channel=channel).values_list(
            "reason", "occurrence"
        )
    )


def test_losing_and_regaining_a_policy_is_told_each_time_and_a_retry_tells_nothing_again(
    city, django_capture_on_commit_callbacks
):
    rich = city["rich"]
    ChannelPreferenceFactory(enterprise=rich, email=True, email_address="boss@example.com", digest=False)
    policy = PolicyFactory(status="published", criteria=TREE)
    publish(policy, django_capture_on_commit_callbacks)
    # when rich falls below the threshold, qualifies again, falls and qualifies again (re-matched)
    for value in ("1", "20000000", "1", "20000000"):
        _revenue(rich, value)
        enterprise_rematch(enterprise_id=rich.pk)
        enterprise_rematch(enterprise_id=rich.pk)  # a retry of the same re-match
    # then every gain and every loss has its notice, once, in-app and by e-mail
    told = [("lost", 1), ("lost", 2), ("new_match", 1), ("new_match", 2), ("new_match", 3)]
    assert _occurrences(policy, rich) == told
    assert _occurrences(policy, rich, "email") == told
    match = Match.objects.get(policy=policy, enterprise=rich)
    assert match.status == "eligible" and match.episode == 3


def test_a_rebuild_tells_a_regained_match_again_and_a_repeated_rebuild_tells_nothing(
    city, django_capture_on_commit_callbacks
):
    rich = city["rich"]
    policy = PolicyFactory(status="published", criteria=TREE)
    publish(policy, django_capture_on_commit_callbacks)
    # when the profile changes without a re-match and the set-based run diffs the policy's rows
    _revenue(rich, "1")
    publish(policy, django_capture_on_commit_callbacks, reason="rebuild")
    _revenue(rich, "20000000")
    publish(policy, django_capture_on_commit_callbacks, reason="rebuild")
    publish(policy, django_capture_on_commit_callbacks, reason="rebuild")
    # then
    assert _occurrences(policy, rich) == [("lost", 1), ("new_match", 1), ("new_match", 2)]
    assert Match.objects.get(policy=policy, enterprise=rich).episode == 2


def test_possible_becoming_eligible_is_told_by_the_set_based_run_too(
    city, django_capture_on_commit_callbacks
):
    unknown = city["unknown"]
    policy = PolicyFactory(status="published", criteria=TREE)
    publish(policy, django_capture_on_commit_callbacks)
    from tests.factories.enterprises import IndicatorValueFactory
    from tests.matching.test_engine import LAST_YEAR

    IndicatorValueFactory(enterprise=unknown, period=LAST_YEAR, value=Decimal("20000000"))
    publish(policy, django_capture_on_commit_callbacks, reason="rebuild")
    assert _occurrences(policy, unknown) == [("new_match", 2), ("possible", 1)]
    assert Match.objects.get(policy=policy, enterprise=unknown).status == "eligible"


def test_integrators_hear_policy_matched_once_for_two_schedules_of_one_version(
    city, django_capture_on_commit_callbacks
):
    WebhookSubscriptionFactory(url="https://hooks.example.com/h", events=["policy.matched"], enterprise=None)
    policy = PolicyFactory(status="published", criteria=TREE)
    # when the same version is scheduled twice (the second run finds nothing new)
    publish(policy, django_capture_on_commit_callbacks)
    publish(policy, django_capture_on_commit_callbacks)
    # then
    assert MatchRun.objects.filter(policy=policy, status="done").count() == 2
    (event,) = WebhookDelivery.objects.filter(event="policy.matched")
    assert event.payload["new_matches"] == 2
    assert event.event_key.startswith(f"policy.matched:{policy.pk}:v{policy.version}:run")


def test_nightly_reconciliation_fixes_a_match_nobody_corrected_and_reports_it(
    city, django_capture_on_commit_callbacks
):
    rich, poor = city["rich"], city["poor"]
    policy = PolicyFactory(status="published", criteria=TREE)
    publish(policy, django_capture_on_commit_callbacks)
    # given rich's revenue fell, its change was recorded, but its match was never corrected
    _revenue(rich, "1")
    now = timezone.now()
    RematchRequest.objects.create(enterprise_id=rich.pk, requested_at=now, pending=False)
    RematchRequest.objects.create(enterprise_id=poor.pk, requested_at=now, pending=False)
    # when the reconciliation runs
    with django_capture_on_commit_callbacks(execute=True):
        report = matches_reconcile()
    # then both changed enterprises were checked, the one wrong match was ended and told
    assert (report["checked"], report["fixed"], report["lost"], report["left"]) == (2, 1, 1, 0)
    assert Match.objects.get(policy=policy, enterprise=rich).status == "ended"
    assert ("lost", 1) in _occurrences(policy, rich)
    assert ReconcileRun.objects.get().fixed == 1
    # and the next run checks only what changed since
    assert not RematchRequest.objects.exists()
    again = matches_reconcile()
    assert (again["checked"], again["fixed"]) == (0, 0) and again["since"] is not None
    assert ReconcileRun.objects.latest("started_at").since - now < timedelta(minutes=1)


def test_the_reconcile_command_prints_what_it_checked_and_fixed(city):
    from io import StringIO

    from django.core.management import call_command

    RematchRequest.objects.create(enterprise_id=city["poor"].pk, requested_at=timezone.now(), pending=False)
    out = StringIO()
    call_command("matching_reconcile", stdout=out)
    assert out.getvalue().startswith("checked 1 enterprises changed since the start, fixed 0 matches")
