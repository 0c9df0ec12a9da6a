"""Enqueue Celery tasks after the current transaction commits.

With a real broker a failure to enqueue (Redis down) must not undo or break the
caller's committed work: the request is already recorded durably (a run or a
re-match request row) and the repair task enqueues it later. In eager mode
(the embedded default and unit tests) errors propagate so that they are seen.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)


def _send(task, args: tuple, kwargs: dict) -> None:
    if task.app.conf.task_always_eager:
        task.apply_async(args=args, kwargs=kwargs)
        return
    try:
        task.apply_async(
            args=args,
            kwargs=kwargs,
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5},
        )
    except Exception:  # broker down: the durable row stays, the repair task re-enqueues it
        logger.warning(
            "could not enqueue %s%r; the repair task will pick it up", task.name, args, exc_info=True
        )


def enqueue_on_commit(task, *args, **kwargs) -> None:
    transaction.on_commit(partial(_send, task, args, kwargs))


def enqueue_now(task, *args, **kwargs) -> None:
    _send(task, args, kwargs)
