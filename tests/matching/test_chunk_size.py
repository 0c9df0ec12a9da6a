"""A policy of small reach is matched in one chunk per worker over the whole registry; a large one
in ``MATCH_CHUNK_SIZE`` ranges. Either way the same enterprises are matched and told once each.
(PostgreSQL: the reach is the planner's estimate of the candidate query.)"""

from decimal import Decimal

import pytest
from django.db import connection

from matching.models import Match, MatchRun, Notification
from matching.services import policy_matching_schedule
from tests.factories.enterprises import EnterpriseFactory
from tests.factories.policies import PolicyFactory

pytestmark = pytest.mark.postgres

ENTERPRISES = 400


@pytest.fixture
def registry():
    # capitals 0, 1, …, 399 万元: a ``>=`` threshold picks the top of the registry
    for i in range(ENTERPRISES):
        EnterpriseFactory(registered_capital=Decimal(i) * 10_000)
    with connection.cursor() as cur:
        cur.execute("ANALYZE enterprises_enterprise")  # the estimate reads the statistics


def _publish(capture, *, at_least_wan: int):
    policy = PolicyFactory(
        status="published",
        criteria={"all": [{"field": "registered_capital", "op": ">=", "value": at_least_wan * 10_000}]},
    )
    with capture(execute=True):
        policy_matching_schedule(policy_id=policy.pk, reason="published")
    return policy, MatchRun.objects.get(policy=policy)


def _told(policy) -> list[int]:
    return sorted(
        Notification.objects.filter(policy=policy, channel="inapp").values_list("enterprise_id", flat=True)
    )


def test_a_small_reach_runs_in_one_chunk_per_worker_and_a_large_one_in_ranges(
    registry, django_capture_on_commit_callbacks, settings
):
    # given chunks of 40 ids (ten ranges) and "small" meaning at most 20 enterprises
    settings.MATCH_CHUNK_SIZE = 40
    settings.MATCH_SMALL_REACH_ROWS = 20
    settings.MATCH_SMALL_REACH_CHUNKS = 2
    # when a policy reaching 10 enterprises and one reaching 200 are published
    small, small_run = _publish(django_capture_on_commit_callbacks, at_least_wan=390)
    large, large_run = _publish(django_capture_on_commit_callbacks, at_least_wan=200)
    # then the small one ran as two chunks covering the registry, the large one as ten ranges
    spans = sorted(small_run.chunks.values_list("id_from", "id_to"))
    assert len(spans) == 2 and spans[0][1] == spans[1][0]
    assert large_run.chunks.count() == ENTERPRISES // 40
    # and each matched exactly its enterprises, each told once
    for policy, reach in ((small, 10), (large, 200)):
        ids = sorted(
            Match.objects.filter(policy=policy, status="eligible").values_list("enterprise_id", flat=True)
        )
        assert len(ids) == reach and _told(policy) == ids


def test_small_reach_chunking_can_be_turned_off(registry, django_capture_on_commit_callbacks, settings):
    settings.MATCH_CHUNK_SIZE = 40
    settings.MATCH_SMALL_REACH_ROWS = 0
    policy, run = _publish(django_capture_on_commit_callbacks, at_least_wan=390)
    assert run.chunks.count() == ENTERPRISES // 40
    assert Match.objects.filter(policy=policy).count() == 10
