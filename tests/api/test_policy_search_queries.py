"""``GET /api/v1/policies/?q=…`` costs a fixed number of queries however many hits there are."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from policies.models import Policy
from policies.search import policy_search_index_update
from tests.factories.policies import InterpretationFactory, PolicyFactory

pytestmark = pytest.mark.django_db


def _queries(client, size, django_assert_max_num_queries):
    # the page with the hit count (window count), materials, the vocabulary (2); no
    # interpretations (every row has the words in its summary: see policies.search.snippets)
    with django_assert_max_num_queries(4) as ctx:
        body = client.get("/api/v1/policies/", {"q": "研发补贴", "page_size": size}).json()
    return body, len(ctx.captured_queries)


def test_the_policy_search_costs_a_fixed_number_of_queries_however_many_hits(
    world, django_assert_max_num_queries
):
    for i in range(30):
        policy = PolicyFactory(
            title=f"研发补贴政策{i}",
            summary="对研发投入给予补贴",
            department=world.dept_y,
            status="published",
            published_at=timezone.now(),
            criteria={"all": [{"field": "revenue", "op": ">", "value": 1000000}]},
        )
        InterpretationFactory(policy=policy, body="研发补贴解读")
    policy_search_index_update(policy_ids=list(Policy.objects.values_list("pk", flat=True)))
    client = APIClient()
    client.get("/api/v1/policies/", {"q": "研发补贴"})
    small, n_small = _queries(client, 5, django_assert_max_num_queries)
    large, n_large = _queries(client, 30, django_assert_max_num_queries)
    assert small["count"] == large["count"] >= 30
    assert len(large["results"]) == 30 and all(p["criteria_text"] for p in large["results"])
    assert n_small == n_large
    assert any("<mark>" in p["snippet"] for p in large["results"])


def test_a_hit_only_in_an_interpretation_gets_its_snippet_from_there(world):
    policy = PolicyFactory(
        title="物流政策",
        summary="运费补贴",
        body="正文",
        department=world.dept_y,
        status="published",
        published_at=timezone.now(),
    )
    InterpretationFactory(policy=policy, title="问答", body="问：冷链企业能否申请？")
    policy_search_index_update(policy_ids=[policy.pk])
    results = APIClient().get("/api/v1/policies/", {"q": "冷链"}).json()["results"]
    # (PostgreSQL and the SQLite fallback both search the interpretations)
    assert [p["id"] for p in results] == [policy.pk]
    assert "<mark>冷链</mark>" in results[0]["snippet"]
