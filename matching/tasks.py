"""Thin Celery tasks: each takes ids, calls one service, and is safe to run twice.

Every task has a time limit; they are acknowledged late (settings), so a task whose
worker is killed is redelivered, and the repair task re-enqueues anything a crash
left behind (chunks not done, runs never started, deliveries stuck in sending).
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from matching.pipeline import deliver, nightly, policy_run, rematch, repair

# A policy chunk and an enterprise re-match may write the same (policy, enterprise) rows at the
# same time and deadlock; PostgreSQL aborts one of them, which is then retried from scratch
# (its chunk is still not done / its re-match requests are still there).
_RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": 2, "retry_jitter": True, "max_retries": 8}


@shared_task(name="matching.policy_run_start", time_limit=300, soft_time_limit=280, **_RETRY)
def policy_run_start(run_id: int) -> None:
    policy_run.run_start(run_id=run_id)


@shared_task(name="matching.policy_runs_start", time_limit=900, soft_time_limit=870, **_RETRY)
def policy_runs_start(run_ids: list[int]) -> None:
    policy_run.runs_start(run_ids=run_ids)


@shared_task(name="matching.policy_chunk_run", time_limit=900, soft_time_limit=870, **_RETRY)
def policy_chunk_run(chunk_id: int) -> None:
    policy_run.chunk_run(chunk_id=chunk_id)


@shared_task(name="matching.enterprises_rematch", time_limit=300, soft_time_limit=280, **_RETRY)
def enterprises_rematch(enterprise_ids: list[int]) -> None:
    rematch.enterprises_rematch(enterprise_ids=enterprise_ids)


@shared_task(name="matching.deliveries_plan", time_limit=300, soft_time_limit=280)
def deliveries_plan() -> None:
    deliver.deliveries_plan()


# The one delivery task: every e-mail, SMS and webhook (each sent under its row lock: deliver.py).
@shared_task(name="matching.deliveries_send", time_limit=600, soft_time_limit=570)
def deliveries_send() -> None:
    deliver.deliveries_send()


@shared_task(name="matching.repair", time_limit=120, soft_time_limit=110)
def matching_repair() -> None:
    repair.matching_repair()


# below the broker's visibility timeout (settings), or a running nightly is handed out again
@shared_task(name="matching.nightly", time_limit=3000, soft_time_limit=2900)
def matching_nightly() -> None:
    nightly.matching_nightly()
