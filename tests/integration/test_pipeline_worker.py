"""The pipeline against a real Celery worker process, real Redis and PostgreSQL (not eager)."""

import subprocess
import time

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from enterprises.models import Enterprise
from matching.bench.city import city_build, selectivity_tree
from matching.models import ChannelPreference, Delivery, Match, MatchChunk, MatchRun, Notification
from matching.services import enterprise_rematch_schedule, policy_matching_schedule
from policies.models import Department, Policy
from tests.integration.conftest import django_subprocess, wait_for

pytestmark = pytest.mark.services


def _policy(share: float) -> Policy:
    dept = Department.objects.get_or_create(code="it-dept", defaults={"name": "集成测试局"})[0]
    return Policy.objects.create(
        title=f"集成测试政策 {share:.0%}",
        department=dept,
        status="published",
        criteria=selectivity_tree(share),
        published_at=timezone.now(),
    )


def _expected_ids(policy: Policy) -> set[int]:
    from matching.criteria import compile_tree

    compiled = compile_tree(policy.criteria, as_of=timezone.localdate())
    return set(Enterprise.objects.exclude(compiled.not_eligible_q).values_list("id", flat=True))


def _inapp_per_enterprise(policy: Policy) -> dict[int, int]:
    return dict(
        Notification.objects.filter(policy=policy, channel="inapp")
        .values_list("enterprise_id")
        .annotate(n=Count("id"))
        .values_list("enterprise_id", "n")
    )


def _publish(policy: Policy) -> MatchRun:
    with transaction.atomic():
        policy_matching_schedule(policy_id=policy.pk, reason="published")
    return MatchRun.objects.filter(policy=policy).latest("pk")


def _run_done(run: MatchRun) -> bool:
    run.refresh_from_db()
    return run.status == "done"


def test_publish_gives_every_eligible_enterprise_exactly_one_inapp_notification(start_worker):
    # given a small city and a worker
    city_build(enterprises=600, log=lambda *_: None)
    policy = _policy(0.3)
    start_worker(MATCH_CHUNK_SIZE=100)
    # when the policy is published
    run = _publish(policy)
    wait_for(lambda: _run_done(run), timeout=120, what="the run")
    # then
    expected = _expected_ids(policy)
    assert 100 < len(expected) < 600
    per = _inapp_per_enterprise(policy)
    assert set(per) == expected and set(per.values()) == {1}
    assert Match.objects.filter(policy=policy).count() == len(expected)


def _publish_in_subprocess(policy_id: int, redis_url: str) -> subprocess.CompletedProcess:
    """Publish from a separate process whose broker is the (stopped) private Redis."""
    return django_subprocess(
        f"""
        from django.db import transaction
        from matching.services import policy_matching_schedule
        with transaction.atomic():
            policy_matching_schedule(policy_id={policy_id}, reason="published")
        print("PUBLISHED")
    """,
        redis_url=redis_url,
    )


def test_redis_down_during_publish_the_publish_succeeds_and_every_push_arrives_after_recovery(
    start_worker, private_redis
):
    # given a city where some enterprises want e-mail, a worker on a private Redis
    city_build(enterprises=2000, log=lambda *_: None)
    policy = _policy(0.2)
    expected = _expected_ids(policy)
    mailers = sorted(expected)[:25]
    ChannelPreference.objects.bulk_create(
        [
            ChannelPreference(
                enterprise_id=i,
                email=True,
                email_address=f"e{i}@example.com",
                digest=True,
                unsubscribe_token=f"tok-{i}",
            )
            for i in mailers
        ]
    )
    start_worker(
        redis_url=private_redis.url,
        beat=True,
        MATCH_CHUNK_SIZE=500,
        MATCH_REPAIR_INTERVAL=2,
        MATCH_CHUNK_STALE_SECONDS=5,
    )
    # when Redis goes down and the policy is published
    private_redis.stop()
    result = _publish_in_subprocess(policy.pk, private_redis.url)
    # then the publish itself succeeded and was recorded
    assert result.returncode == 0 and "PUBLISHED" in result.stdout, result.stderr[-2000:]
    run = MatchRun.objects.get(policy=policy)
    assert run.status == "pending" and not Match.objects.filter(policy=policy).exists()
    # when Redis comes back
    time.sleep(1)
    private_redis.start()
    # then the run completes and every push arrives
    wait_for(lambda: _run_done(run), timeout=180, interval=0.5, what="the run after Redis recovered")
    per = _inapp_per_enterprise(policy)
    assert set(per) == expected and set(per.values()) == {1}
    wait_for(
        lambda: Delivery.objects.filter(enterprise_id__in=mailers, status="sent").count() == len(mailers),
        timeout=120,
        interval=0.5,
        what="the e-mail deliveries",
    )
    assert Delivery.objects.exclude(status="sent").count() == 0


def test_the_same_task_twice_or_concurrently_adds_no_rows(start_worker):
    from matching import tasks

    # given a completed run and its rows
    city_build(enterprises=3000, log=lambda *_: None)
    policy = _policy(0.4)
    start_worker(MATCH_CHUNK_SIZE=1000, concurrency=2)
    run = _publish(policy)
    wait_for(lambda: _run_done(run), timeout=120, what="the run")
    before = (Match.objects.count(), Notification.objects.count())
    # when every chunk is reopened and enqueued twice at once, the run start is sent again,
    # and the same enterprises are re-matched twice concurrently
    MatchChunk.objects.filter(run=run).update(done=False)
    chunk_ids = list(MatchChunk.objects.filter(run=run).values_list("pk", flat=True))
    for chunk_id in chunk_ids:
        tasks.policy_chunk_run.delay(chunk_id)
        tasks.policy_chunk_run.delay(chunk_id)
    tasks.policy_run_start.delay(run.pk)
    ids = list(Enterprise.objects.order_by("id").values_list("id", flat=True)[:50])
    with transaction.atomic():
        enterprise_rematch_schedule(enterprise_ids=ids)
    tasks.enterprises_rematch.delay(ids)
    wait_for(lambda: not MatchChunk.objects.filter(run=run, done=False).exists(), timeout=120, what="chunks")
    from matching.models import RematchRequest

    wait_for(lambda: not RematchRequest.objects.filter(pending=True).exists(), timeout=120, what="re-matches")
    time.sleep(2)  # let the duplicate deliveries of the same messages finish
    # then nothing new was written
    assert (Match.objects.count(), Notification.objects.count()) == before
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM (SELECT enterprise_id, policy_id, channel, reason, count(*) "
            "FROM matching_notification GROUP BY 1, 2, 3, 4 HAVING count(*) > 1) d"
        )
        assert cur.fetchone()[0] == 0
