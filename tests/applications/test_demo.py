"""The demo part runs on a small demo city and is idempotent."""

import pytest
from django.conf import settings as django_settings

from applications.models import Application, Grant, GrantBatch, GrantProposal


@pytest.fixture
def eager(settings):
    from portal.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.mark.django_db(transaction=True)
def test_demo_makes_applications_in_various_states_and_auto_grants_and_is_idempotent(
    eager, settings, tmp_path
):
    import importlib

    from django.apps import apps

    import enterprises.demo
    import policies.demo
    import portal.accounts.demo
    from applications import demo

    # the built-in indicators and tags (a data migration) may have been flushed by a transactional test
    importlib.import_module("enterprises.migrations.0002_builtin_indicators_and_tags").create(apps, None)
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    enterprises.demo.load(enterprises=400, seed=7)
    policies.demo.load(enterprises=400, seed=7)
    portal.accounts.demo.load(enterprises=400, seed=7)

    # when the applications part loads
    demo.load(enterprises=400, seed=7)

    # then the demo enterprise has applications in several states and the others some decisions
    states = set(
        Application.objects.filter(applicant__username="enterprise").values_list("status", flat=True)
    )
    assert {"accepted", "returned", "approved"} <= states
    assert Application.objects.filter(status="rejected").exists()
    # one auto-grant batch is confirmed and paid (one failure), the rest waits for the officer
    assert GrantBatch.objects.count() == 1
    assert Grant.objects.filter(source="auto", status="paid").exists()
    assert GrantProposal.objects.filter(status="proposed").exists()
    # an overdue application, if the demo windows allowed one, reached the head's inbox
    from inbox.models import Message

    for application in Application.objects.filter(escalated_at__isnull=False):
        assert Message.objects.filter(
            user__username="dept-head", title__contains=application.reference
        ).exists()
    counts = (Application.objects.count(), GrantProposal.objects.count(), Grant.objects.count())

    # and a second load changes nothing
    demo.load(enterprises=400, seed=7)
    assert (Application.objects.count(), GrantProposal.objects.count(), Grant.objects.count()) == counts
    assert django_settings.CELERY_TASK_ALWAYS_EAGER
