"""The security officers' group outlives a ``flush`` (what transactional tests do between tests, and
an operator resetting a database): its data migration runs once, ``post_migrate`` puts it back."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command


@pytest.mark.django_db(transaction=True)
def test_the_security_officer_group_and_its_permissions_survive_a_flush():
    call_command("flush", interactive=False, verbosity=0)
    group = Group.objects.get(name="安全审计员")
    assert set(group.permissions.values_list("codename", flat=True)) == {"view_audit_trail", "view_logentry"}
