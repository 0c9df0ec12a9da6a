"""The search page and its hit count come from one query (window count), on both databases."""

import pytest
from django.core.paginator import EmptyPage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from policies.models import Policy, PolicyStatus
from policies.search import TotalPaginator, policy_search_index_update
from policies.selectors import policy_search
from tests.factories.policies import PolicyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hits():
    for i in range(7):
        PolicyFactory(title=f"研发补贴政策{i}", status=PolicyStatus.PUBLISHED, published_at=timezone.now())
    PolicyFactory(title="人才公寓", status=PolicyStatus.PUBLISHED, published_at=timezone.now())
    PolicyFactory(title="研发补贴草稿", status=PolicyStatus.DRAFT)
    policy_search_index_update(policy_ids=list(Policy.objects.values_list("pk", flat=True)))


def test_search_page_and_count_take_one_query(hits):
    # given a search carrying the window count, paginated by three
    paginator = TotalPaginator(policy_search(q="补贴", with_total=True), 3)
    # when the second page is read
    with CaptureQueriesContext(connection) as ctx:
        page = paginator.page(2)
        count = paginator.count
    # then: the page's rows and the count (7 published hits, not the draft) from one query,
    # plus the interpretations' prefetch; no separate count query
    assert count == 7
    assert paginator.num_pages == 3
    assert len(page.object_list) == 3
    assert page.has_next() and page.has_previous()
    assert len(ctx.captured_queries) == 2
    assert not [q for q in ctx.captured_queries if "COUNT(*) AS" in q["sql"]]


def test_search_count_and_order_match_the_plain_search(hits):
    plain = [p.pk for p in policy_search(q="补贴")]
    paginator = TotalPaginator(policy_search(q="补贴", with_total=True), 5)
    paged = [p.pk for p in paginator.page(1).object_list] + [p.pk for p in paginator.page(2).object_list]
    assert paged == plain
    assert paginator.count == len(plain) == 7


def test_page_past_the_end_is_empty_page_and_no_hits_give_an_empty_first_page(hits):
    with pytest.raises(EmptyPage):
        TotalPaginator(policy_search(q="补贴", with_total=True), 3).page(4)
    empty = TotalPaginator(policy_search(q="航天发射", with_total=True), 3)
    assert list(empty.page(1).object_list) == []
    assert empty.count == 0


def test_paginator_without_the_window_count_counts_as_usual(hits):
    paginator = TotalPaginator(policy_search(q="补贴"), 3)
    with CaptureQueriesContext(connection) as ctx:
        list(paginator.page(1).object_list)
    assert paginator.count == 7
    assert [q for q in ctx.captured_queries if "COUNT(*) AS" in q["sql"]]
