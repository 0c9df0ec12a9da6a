"""Saved searches and their alerts: the journeys' small city (officials of 市工信局, two
enterprises), the publish services, and the pipeline's tasks run in-process on commit."""

from __future__ import annotations

import pytest

from tests.journeys.conftest import caches_reset, city_build, policy_data, policy_publish_as_officials  # noqa: F401


@pytest.fixture
def eager(settings):
    from portal.celery import app

    before = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.SITE_URL = "https://zc.example.gov.cn"
    app.conf.task_always_eager = True
    caches_reset()
    yield
    app.conf.task_always_eager = before
    caches_reset()


@pytest.fixture
def city(db, eager):
    return city_build()


@pytest.fixture
def publish(city, django_capture_on_commit_callbacks):
    """Publish a policy through the officials' services, running what is queued on commit."""

    def _publish(**overrides):
        data = policy_data(
            city, title=overrides.pop("title", "智能制造设备补贴"), amount=overrides.pop("amount", "300000")
        )
        data.update(overrides)
        with django_capture_on_commit_callbacks(execute=True):
            return policy_publish_as_officials(city, data)

    return _publish


@pytest.fixture
def subscribe(city, django_capture_on_commit_callbacks):
    """A saved search, confirmed or not, with the confirmation e-mail sent on commit."""
    from subscriptions.services import subscription_create

    def _subscribe(*, email="reader@example.com", q="", filters=None, confirm=True, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            sub = subscription_create(
                email=email, q=q, filters=filters or {}, client_ip="198.51.100.7", **kwargs
            )
        if confirm:
            from subscriptions.services import confirm_link, subscription_confirm

            subscription_confirm(signed=confirm_link(sub).rstrip("/").rsplit("/", 1)[-1])
            sub.refresh_from_db()
        return sub

    return _subscribe
