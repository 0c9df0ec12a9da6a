"""Search ranks on ``search_rank_vector`` (the title/summary part of the search vector) and
filters on the full ``search_vector``: the rank vector is kept with the search vector by the
services and by ``policies_reindex``; highlighting and query segmentation are cached."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from policies.models import Policy, PolicyStatus
from policies.search import highlight, policy_search_index_update, query_terms, query_words, snippets
from policies.selectors import policy_search
from policies.services import policy_create, policy_publish, policy_submit, policy_update
from tests.factories.policies import InterpretationFactory, PolicyFactory

pytestmark = pytest.mark.django_db


def _lexemes(policy_id: int, column: str) -> set[str]:
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT word FROM ts_stat('SELECT {column} FROM policies_policy WHERE id = {int(policy_id)}')"
        )
        return {row[0] for row in cur.fetchall()}


def _published(**kw):
    return PolicyFactory(status=PolicyStatus.PUBLISHED, **kw)


@pytest.mark.postgres
def test_the_rank_vector_holds_the_title_and_summary_only():
    # given
    policy = _published(title="人才公寓补贴", summary="安家补助", body="冷链物流企业")
    # when
    policy_search_index_update(policy_ids=[policy.pk])
    # then: the full vector has every part, the rank vector the title and summary words
    assert {"人才", "安家", "冷链"} <= _lexemes(policy.pk, "search_vector")
    rank_words = _lexemes(policy.pk, "search_rank_vector")
    assert {"人才", "公寓", "安家"} <= rank_words
    assert "冷链" not in rank_words and "物流" not in rank_words


@pytest.mark.postgres
def test_the_services_keep_the_rank_vector_on_create_revise_and_publish(
    drafter, reviewer, draft_data, scheduled
):
    # when drafted
    policy = policy_create(actor=drafter, data=draft_data)
    # then
    assert "专精" in _lexemes(policy.pk, "search_rank_vector")
    # when revised (title and summary) and published
    policy = policy_update(
        policy=policy, actor=drafter, data={"title": "郑州市人才公寓补贴", "summary": "安家补助"}
    )
    policy = policy_publish(policy=policy_submit(policy=policy, actor=drafter), actor=reviewer)
    # then the rank vector follows the new text
    words = _lexemes(policy.pk, "search_rank_vector")
    assert {"人才", "公寓", "安家"} <= words and "专精" not in words
    assert [p.pk for p in policy_search(q="人才公寓", filters={})] == [policy.pk]
    # when a published policy's summary is revised
    policy = policy_update(policy=policy, actor=reviewer, data={"summary": "冷链物流"})
    assert "冷链" in _lexemes(policy.pk, "search_rank_vector")


@pytest.mark.postgres
def test_reindex_builds_the_rank_vectors():
    # given a row indexed before the rank vector existed (written directly)
    policy = _published(title="郑州市人才公寓租金补贴", published_at=timezone.now())
    policy_search_index_update(policy_ids=[policy.pk])
    Policy.objects.filter(pk=policy.pk).update(search_rank_vector=None)
    # when
    call_command("policies_reindex", stdout=io.StringIO())
    # then
    assert "人才" in _lexemes(policy.pk, "search_rank_vector")


@pytest.mark.postgres
def test_title_hits_rank_before_summary_hits_before_body_only_hits():
    now = timezone.now()
    body_new = _published(title="稳岗政策甲", summary="稳岗返还", body="人才公寓", published_at=now)
    body_old = _published(
        title="稳岗政策乙", summary="稳岗返还", body="人才公寓", published_at=now - timezone.timedelta(days=9)
    )
    in_summary = _published(
        title="住房政策", summary="人才公寓租金减半", published_at=now - timezone.timedelta(days=5)
    )
    in_title = _published(
        title="人才公寓补贴", summary="安家补助", published_at=now - timezone.timedelta(days=7)
    )
    InterpretationFactory(policy=body_old, title="问答", body="人才公寓")
    policy_search_index_update(policy_ids=[p.pk for p in (body_new, body_old, in_summary, in_title)])
    # when
    rows = list(policy_search(q="人才公寓", filters={}))
    # then: title, summary, then the body-only hits (rank 0, newest first)
    assert [p.pk for p in rows] == [in_title.pk, in_summary.pk, body_new.pk, body_old.pk]
    assert rows[0].rank > rows[1].rank > rows[2].rank == rows[3].rank
    assert rows[3].rank < 1e-6  # ts_rank gives 1e-20 when no title/summary word matches


def test_highlight_cuts_the_snippet_around_the_first_word_of_the_summary_then_the_body():
    policy = _published(
        title="稳岗政策", summary="返还失业保险费", body="前言。" * 40 + "对招用人才的企业给予补贴"
    )
    # the body: cut around the first hit, with ellipses
    snippet = highlight(policy, "人才补贴")["snippet"]
    assert snippet.startswith("…") and "<mark>人才</mark>" in snippet and "<mark>补贴</mark>" in snippet
    # the summary first
    assert highlight(policy, "失业保险")["snippet"].startswith("返还<mark>失业")
    # no hit anywhere: the summary's start, nothing marked
    assert highlight(policy, "首台套")["snippet"] == "返还失业保险费"


@pytest.mark.postgres
def test_highlight_uses_the_prefetched_interpretations():
    policy = _published(title="稳岗政策", summary="返还失业保险费", body="正文")
    InterpretationFactory(policy=policy, title="问答", body="冷链企业可以申请")
    policy_search_index_update(policy_ids=[policy.pk])
    [row] = policy_search(q="冷链", filters={})
    assert "<mark>冷链</mark>" in highlight(row, "冷链")["snippet"]


def test_cached_query_segmentation_hands_out_fresh_lists():
    terms = query_terms("高新技术企业")
    terms.append("x")
    words = query_words("高新技术企业")
    words.clear()
    assert "x" not in query_terms("高新技术企业")
    assert query_words("高新技术企业")
    assert query_terms("") == [] and query_words(None) == []


def test_snippets_read_interpretations_only_for_rows_without_a_word_in_summary_or_body(
    django_assert_num_queries,
):
    # given one policy with the word in its body and one with it only in an interpretation
    in_body = _published(title="稳岗政策", summary="返还失业保险费", body="冷链物流企业可以申请")
    in_interp = _published(title="物流政策", summary="运费补贴", body="正文")
    InterpretationFactory(policy=in_interp, title="问答", body="问：冷链企业能否申请？", position=1)
    InterpretationFactory(policy=in_interp, title="说明", body="无关", position=0)
    # when / then: no query while every row has the word in its summary or body
    with django_assert_num_queries(0):
        [only] = snippets([in_body], "冷链")
    assert only == highlight(in_body, "冷链")["snippet"] and "<mark>冷链</mark>" in only
    # one query for the interpretations of the rows that need them, in their order
    with django_assert_num_queries(1):
        first, second = snippets([in_body, in_interp], "冷链")
    assert first == only
    assert second.startswith("问答 问：<mark>冷链</mark>")
    # no word anywhere: the summary's start, as highlight does
    with django_assert_num_queries(1):
        assert snippets([in_interp], "首台套") == [highlight(in_interp, "首台套")["snippet"]] == ["运费补贴"]


def test_search_pages_do_not_fetch_the_vectors():
    _published(title="人才公寓补贴", summary="安家补助")
    with CaptureQueriesContext(connection) as ctx:
        rows = list(policy_search(q="人才", filters={}, with_total=True))
    select_list = ctx.captured_queries[0]["sql"].split(" FROM ")[0]
    # (the rank vector appears once on PostgreSQL: as the argument of ts_rank)
    assert '"search_vector"' not in select_list and select_list.count('"search_rank_vector"') <= 1
    assert all(not {"search_vector", "search_rank_vector"} - p.get_deferred_fields() for p in rows)
