import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from policies.models import Policy, PolicyStatus
from policies.selectors import policy_search
from tests.factories.policies import PolicyFactory

pytestmark = pytest.mark.django_db


def _published(**kw):
    return PolicyFactory(status=PolicyStatus.PUBLISHED, published_at=timezone.now(), **kw)


def test_reindex_rebuilds_facets_from_the_criteria():
    # given a row whose facets are stale (written directly, not through the services)
    policy = _published(
        criteria={"all": [{"field": "industry", "op": "within", "value": ["C39"]}]}, industries=["all"]
    )
    # when
    out = io.StringIO()
    call_command("policies_reindex", stdout=out)
    # then
    assert Policy.objects.get(pk=policy.pk).industries == ["C39"]
    assert "1 facet rows updated" in out.getvalue()


@pytest.mark.postgres
def test_reindex_builds_the_search_vectors():
    # given a published row without a search vector
    policy = _published(title="郑州市人才公寓租金补贴")
    assert not policy_search(q="人才", filters={}).exists()
    # when
    call_command("policies_reindex", stdout=io.StringIO())
    # then
    assert list(policy_search(q="人才", filters={})) == [policy]
