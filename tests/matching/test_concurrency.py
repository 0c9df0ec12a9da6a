"""A chunk and a re-match of one enterprise cannot both miss a profile change, and the repair run
tells a dead worker's chunk or delivery from a live one by its row lock (PostgreSQL: two
connections, in threads)."""

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from enterprises.models import IndicatorValue
from matching.models import Delivery, Match, MatchChunk, MatchRun, Notification
from matching.pipeline import policy_run, repair
from matching.pipeline.rematch import enterprise_rematch
from tests.factories.matching import DeliveryFactory
from tests.factories.policies import PolicyFactory
from tests.matching.test_engine import TREE

# PostgreSQL only (SQLite runs one writer at a time): on the embedded default the test fails
# with a clear message instead of being skipped (tests/conftest.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _thread(target) -> threading.Thread:
    def run():
        try:
            target()
        finally:
            connection.close()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_a_rematch_waits_for_the_chunk_that_read_the_old_profile_and_corrects_its_match(city, monkeypatch):
    rich = city["rich"]
    # given a published policy whose one chunk has inserted its rows and has not committed yet
    policy = PolicyFactory(status="published", criteria=TREE)
    run = MatchRun.objects.create(
        policy=policy, reason="published", status="running", policy_version=policy.version
    )
    chunk = MatchChunk.objects.create(run=run, id_from=0, id_to=10**12, enqueued_at=timezone.now())
    inserted, go = threading.Event(), threading.Event()
    fanout = policy_run.external_notifications_fanout

    def fanout_then_wait(**kwargs):
        inserted.set()
        go.wait(10)
        return fanout(**kwargs)

    monkeypatch.setattr(policy_run, "external_notifications_fanout", fanout_then_wait)
    chunk_thread = _thread(lambda: policy_run.chunk_run(chunk_id=chunk.pk))
    assert inserted.wait(10)
    # when rich's revenue falls (committed) and its re-match runs while the chunk is still open
    IndicatorValue.objects.filter(enterprise=rich).update(value=Decimal("1"))
    rematch_thread = _thread(lambda: enterprise_rematch(enterprise_id=rich.pk))
    time.sleep(0.5)
    # then the re-match waits for the chunk …
    assert rematch_thread.is_alive()
    go.set()
    chunk_thread.join(10)
    rematch_thread.join(10)
    # … and corrects the match the chunk computed from the old profile, telling the loss
    assert Match.objects.get(policy=policy, enterprise=rich).status == "ended"
    told = Notification.objects.filter(policy=policy, enterprise=rich, channel="inapp")
    assert sorted(told.values_list("reason", "occurrence")) == [("lost", 1), ("new_match", 1)]


def _holding(model, pk):
    """A transaction in another connection that holds the row (a live worker) until released."""
    held, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            list(model.objects.select_for_update().filter(pk=pk))
            held.set()
            release.wait(10)

    t = _thread(hold)
    assert held.wait(10)
    return t, release


def test_repair_redoes_a_started_chunk_nobody_holds_but_never_a_running_one(city):
    policy = PolicyFactory(status="published", criteria=TREE)
    run = MatchRun.objects.create(
        policy=policy, reason="published", status="running", policy_version=policy.version
    )
    long_ago = timezone.now() - timedelta(minutes=5)
    chunk = MatchChunk.objects.create(run=run, id_from=0, id_to=10, enqueued_at=long_ago, started_at=long_ago)
    now = timezone.now()
    # while a worker holds it (a long chunk), nothing is redone, queued chunks included
    queued = MatchChunk.objects.create(run=run, id_from=10, id_to=20, enqueued_at=long_ago)
    worker, release = _holding(MatchChunk, chunk.pk)
    assert repair._chunks_abandoned(now=now, stale=now - timedelta(seconds=60)) == []
    # once its worker is gone (connection closed: the lock with it), both are taken up again
    release.set()
    worker.join(10)
    assert sorted(repair._chunks_abandoned(now=now, stale=now - timedelta(seconds=60))) == [
        chunk.pk,
        queued.pk,
    ]
    assert MatchChunk.objects.filter(pk=chunk.pk, started_at__isnull=True, enqueued_at=now).exists()


def test_repair_never_puts_back_a_delivery_a_live_sender_holds_however_old_its_claim(settings):
    settings.MATCH_DELIVERY_SENDING_STALE_SECONDS = 30
    old_claim = timezone.now() - timedelta(minutes=10)
    delivery = DeliveryFactory(status="sending", claimed_at=old_claim, attempts=1)
    sender, release = _holding(Delivery, delivery.pk)
    assert repair._deliveries_abandoned(now=timezone.now()) == 0
    release.set()
    sender.join(10)
    assert repair._deliveries_abandoned(now=timezone.now()) == 1
    delivery.refresh_from_db()
    assert delivery.status == "pending"
