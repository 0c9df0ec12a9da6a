import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_migrations_are_complete_for_every_app():
    # given the models as they are, when makemigrations --check runs, then nothing is missing
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
