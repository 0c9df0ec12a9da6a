"""Recovery times of the push pipeline under real faults, with the production defaults of the
repair run (MATCH_REPAIR_INTERVAL 15 s, MATCH_CHUNK_STALE_SECONDS 60 s,
MATCH_DELIVERY_SENDING_STALE_SECONDS 15 s): each test prints what it measured (docs/matching.md,
"Recovery") and fails when recovery takes more than about a minute and a half."""

import json
import os
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction

from matching.bench.city import city_build
from matching.models import (
    Delivery,
    Match,
    MatchChunk,
    MatchRun,
    WebhookDelivery,
    WebhookSubscription,
)
from matching.pipeline.outbox import webhook_deliveries_create
from matching.services import policy_matching_schedule
from policies.models import Policy
from tests.integration.conftest import wait_for
from tests.integration.test_pipeline_worker import _expected_ids, _inapp_per_enterprise, _policy, _run_done

pytestmark = pytest.mark.services

DEFAULTS = {
    "MATCH_REPAIR_INTERVAL": 15,
    "MATCH_CHUNK_STALE_SECONDS": 60,
    "MATCH_DELIVERY_SENDING_STALE_SECONDS": 15,
}
RECOVERED_WITHIN = 90.0  # seconds after a worker is back


def _told_once_each(policy: Policy) -> None:
    expected = _expected_ids(policy)
    per = _inapp_per_enterprise(policy)
    assert set(per) == expected and set(per.values()) == {1}
    assert Match.objects.filter(policy=policy).count() == len(expected)


def test_a_worker_group_killed_mid_fan_out_is_taken_up_within_a_minute(start_worker):
    city_build(enterprises=30_000, log=lambda *_: None)
    policy = _policy(0.3)
    worker = start_worker(MATCH_CHUNK_SIZE=1_000, concurrency=2, **DEFAULTS)
    with transaction.atomic():
        policy_matching_schedule(policy_id=policy.pk, reason="published")
    run = wait_for(
        lambda: MatchRun.objects.filter(policy=policy, status="running").first(), timeout=60, what="run"
    )
    wait_for(
        lambda: MatchChunk.objects.filter(run=run, done=True).count() >= 3,
        timeout=120,
        interval=0.02,
        what="3",
    )
    # when the whole worker group (main process and pool) is killed
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)
    left = MatchChunk.objects.filter(run=run, done=False).count()
    assert left > 0, "the kill came too late"
    # and a worker (with its beat) is back
    start_worker(MATCH_CHUNK_SIZE=1_000, concurrency=2, beat=True, **DEFAULTS)
    back = time.monotonic()
    wait_for(
        lambda: _run_done(run), timeout=RECOVERED_WITHIN * 2, interval=0.25, what="the run after the restart"
    )
    recovered = time.monotonic() - back
    print(
        f"\nrecovery: worker group killed with {left} of {run.chunks.count()} chunks open; run done {recovered:.1f} s after the worker was back"
    )
    _told_once_each(policy)
    assert recovered < RECOVERED_WITHIN


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.requests.append(
            (time.monotonic(), self.headers.get("X-Portal-Delivery"), json.loads(body))
        )
        if len(self.server.requests) == 1:
            self.server.first.set()
            self.server.release.wait(120)  # the worker is killed while this request is open
        try:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")
        except OSError:  # the killed sender's connection
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.requests, server.first, server.release = [], threading.Event(), threading.Event()
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def test_a_webhook_in_flight_when_its_worker_is_killed_is_sent_again_within_a_minute(
    start_worker, slow_receiver
):
    sub = WebhookSubscription.objects.create(
        url=f"http://127.0.0.1:{slow_receiver.server_port}/hook", events=["policy.published"]
    )
    worker = start_worker(concurrency=1, WEBHOOK_ALLOW_PRIVATE="true", **DEFAULTS)
    with transaction.atomic():
        webhook_deliveries_create(
            subscriptions=[sub], event="policy.published", key="it-recovery", payload={"n": 1}
        )
    delivery = WebhookDelivery.objects.get(subscription=sub)
    assert slow_receiver.first.wait(60)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)
    killed = time.monotonic()
    start_worker(concurrency=1, beat=True, WEBHOOK_ALLOW_PRIVATE="true", **DEFAULTS)
    back = time.monotonic()
    wait_for(
        lambda: Delivery.objects.filter(pk=delivery.pk, status="sent").exists(),
        timeout=RECOVERED_WITHIN * 2,
        interval=0.25,
        what="the webhook after the restart",
    )
    sent_again = slow_receiver.requests[-1][0]
    print(
        f"\nrecovery: webhook in flight when its worker was killed; sent again {sent_again - killed:.1f} s after the "
        f"kill ({sent_again - back:.1f} s after the worker was back), same X-Portal-Delivery: "
        f"{slow_receiver.requests[0][1] == slow_receiver.requests[-1][1]}"
    )
    assert len(slow_receiver.requests) == 2  # at least once: the receiver deduplicates by the delivery id
    assert slow_receiver.requests[0][1] == slow_receiver.requests[1][1] == str(delivery.pk)
    assert sent_again - back < RECOVERED_WITHIN


def test_the_same_publish_twice_at_once_tells_everyone_once_and_integrators_once(start_worker):
    city_build(enterprises=20_000, log=lambda *_: None)
    policy = _policy(0.3)
    hook = WebhookSubscription.objects.create(url="http://127.0.0.1:9/h", events=["policy.matched"])
    start_worker(MATCH_CHUNK_SIZE=2_000, concurrency=2, **DEFAULTS)
    started = time.monotonic()
    barrier = threading.Barrier(2)

    def publish():
        from django.db import connection

        try:
            with transaction.atomic():
                policy_matching_schedule(policy_id=policy.pk, reason="published")
                barrier.wait(10)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    wait_for(
        lambda: MatchRun.objects.filter(policy=policy, status="done").count() == 2,
        timeout=180,
        interval=0.25,
        what="both runs",
    )
    elapsed = time.monotonic() - started
    runs = list(MatchRun.objects.filter(policy=policy).order_by("pk").values_list("matched", flat=True))
    events = WebhookDelivery.objects.filter(subscription=hook, event="policy.matched")
    print(
        f"\nthe same publish twice at once: both runs done in {elapsed:.1f} s, new matches per run {runs}, policy.matched events {events.count()}"
    )
    _told_once_each(policy)
    assert sorted(runs)[0] == 0 and events.count() == 1
