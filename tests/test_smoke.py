from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_migrations_are_complete_for_every_app():
    # given the models as they are, when makemigrations --check runs (it exits non-zero when a
    # migration is missing), then nothing is missing and it says so
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_every_beat_entry_names_a_registered_task_and_lives_in_settings():
    from django.conf import settings

    from portal.celery import app

    app.loader.import_default_modules()  # the apps' tasks modules, as a worker imports them
    assert app.conf.beat_schedule == settings.CELERY_BEAT_SCHEDULE
    missing = {
        name: e["task"] for name, e in settings.CELERY_BEAT_SCHEDULE.items() if e["task"] not in app.tasks
    }
    assert not missing, missing
    assert {"matching.repair", "matching.nightly", "policies.expire_due"} <= {
        e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()
    }
