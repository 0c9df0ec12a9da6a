import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from policies.models import PolicyStatus
from policies.search import apply_text_query, highlight, policy_search_index_update
from policies.selectors import policies_published, policy_facets, policy_search, policy_search_results
from tests.factories.policies import DepartmentFactory, InterpretationFactory, PolicyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def library():
    gxj = DepartmentFactory(code="zz-gxj", name="郑州市工业和信息化局")
    rsj = DepartmentFactory(code="zz-rsj", name="郑州市人力资源和社会保障局")
    now = timezone.now()
    today = timezone.localdate()
    rows = {
        "rd": PolicyFactory(
            title="郑州市企业研发费用后补助实施细则",
            summary="按企业上年度研发费用增量给予补贴",
            body="对研发投入持续增长的企业给予财政资金支持。",
            department=gxj,
            status=PolicyStatus.PUBLISHED,
            published_at=now - dt.timedelta(days=3),
            industries=["C"],
            districts=["4101"],
            apply_end=today + dt.timedelta(days=10),
        ),
        "talent": PolicyFactory(
            title="郑州市青年创新创业人才引进办法",
            summary="面向高层次人才的安家补助",
            body="引进博士给予生活补贴。",
            department=rsj,
            benefit_type="talent",
            status=PolicyStatus.PUBLISHED,
            published_at=now - dt.timedelta(days=1),
            auto_grant=True,
            apply_end=today - dt.timedelta(days=1),
        ),
        "rent": PolicyFactory(
            title="航空港区企业厂房租金减免",
            summary="入驻标准化厂房的企业前三年租金减半",
            body="适用于航空港区内的制造业企业。",
            department=gxj,
            benefit_type="premises",
            status=PolicyStatus.PUBLISHED,
            published_at=now - dt.timedelta(days=2),
            industries=["C39", "C40"],
            districts=["410173"],
        ),
        "draft": PolicyFactory(title="尚未发布的人才补贴草稿", department=gxj, status=PolicyStatus.DRAFT),
    }
    InterpretationFactory(policy=rows["rent"], title="政策问答", body="问：入驻企业能否申请人才公寓？")
    policy_search_index_update(policy_ids=[p.pk for p in rows.values()])
    return rows


def _titles(qs):
    return [p.title for p in qs]


@pytest.mark.postgres
def test_postgres_finds_policies_by_two_character_terms(library):
    # when / then: 补贴 occurs in the body of both published policies, never in a draft
    assert set(_titles(policy_search(q="补贴", filters={}))) == {library["rd"].title, library["talent"].title}
    # 人才 is a title word of one policy and an interpretation word of another: the title ranks first
    assert _titles(policy_search(q="人才", filters={}, order="relevance")) == [
        library["talent"].title,
        library["rent"].title,
    ]


@pytest.mark.postgres
def test_postgres_search_segments_multiword_queries(library):
    assert _titles(policy_search(q="研发补贴", filters={})) == [library["rd"].title]
    assert _titles(policy_search(q="研发 人才", filters={})) == []


@pytest.mark.postgres
def test_postgres_search_vector_follows_interpretation_changes(library, drafter, reviewer, scheduled):
    from policies.services import policy_update

    rent = library["rent"]
    rent.department = drafter.departments.first()
    rent.save()
    assert not policy_search(q="冷链", filters={}).exists()
    policy_update(policy=rent, actor=reviewer, data={}, interpretations=[{"title": "冷链物流企业可以申请"}])
    assert _titles(policy_search(q="冷链", filters={})) == [rent.title]


def test_fallback_finds_by_chinese_words(library):
    # the embedded database's path (forced here, so that it is tested on PostgreSQL too)
    def fallback(q):
        return set(_titles(apply_text_query(policies_published(), q, full_text=False)))

    assert fallback("补贴") == {library["rd"].title, library["talent"].title}
    assert fallback("人才") == {library["talent"].title, library["rent"].title}
    assert fallback("研发补贴") == {library["rd"].title}
    assert fallback("冷链") == set()


def test_search_on_this_database_finds_two_character_terms(library):
    # whichever engine is configured (SQLite in `make test-fast`, PostgreSQL in `make test`)
    assert set(_titles(policy_search(q="补贴", filters={}))) == {library["rd"].title, library["talent"].title}
    assert set(_titles(policy_search(q="人才", filters={}))) == {
        library["talent"].title,
        library["rent"].title,
    }


def test_highlight_marks_the_query_words_and_escapes_html(library):
    policy = library["rd"]
    policy.summary = "<b>按</b>企业研发费用给予补贴"
    marked = highlight(policy, "研发补贴")
    assert "<mark>研发</mark>" in marked["title"]
    assert "&lt;b&gt;" in marked["snippet"] and "<mark>补贴</mark>" in marked["snippet"]


def test_filters_by_department_level_benefit_open_and_auto_grant(library):
    assert _titles(policy_search(filters={"department": "zz-rsj"})) == [library["talent"].title]
    assert _titles(policy_search(filters={"benefit_type": "premises"})) == [library["rent"].title]
    assert _titles(policy_search(filters={"auto_grant": "true"})) == [library["talent"].title]
    assert library["talent"].title not in _titles(policy_search(filters={"open": True}))
    assert _titles(policy_search(filters={"open": "false"})) == [library["talent"].title]


def test_industry_and_district_filters_follow_the_hierarchy(library):
    # a policy for all of C applies to C3411; one for C39/C40 applies to C3911 but not C34
    assert set(_titles(policy_search(filters={"industry": "C3911"}))) == {
        library["rd"].title,
        library["rent"].title,
        library["talent"].title,
    }
    assert set(_titles(policy_search(filters={"industry": "c34"}))) == {
        library["rd"].title,
        library["talent"].title,
    }
    # browsing section C shows the policies restricted to parts of it too
    assert library["rent"].title in _titles(policy_search(filters={"industry": "C"}))
    assert set(_titles(policy_search(filters={"district": "410173"}))) == {
        library["rd"].title,
        library["rent"].title,
        library["talent"].title,
    }
    assert library["rent"].title not in _titles(policy_search(filters={"district": "410105"}))
    assert library["rd"].title in _titles(policy_search(filters={"district": "410105"}))


def test_sorting_newest_and_deadline(library):
    assert _titles(policy_search(order="newest", filters={})) == [
        library["talent"].title,
        library["rent"].title,
        library["rd"].title,
    ]
    # open deadline first, then no deadline, then closed
    assert _titles(policy_search(order="deadline", filters={})) == [
        library["rd"].title,
        library["rent"].title,
        library["talent"].title,
    ]


def test_facets_count_the_result_set(library):
    facets = policy_facets(q="", filters={})
    assert facets["total"] == 3
    assert {f["value"]: f["count"] for f in facets["department"]} == {"zz-gxj": 2, "zz-rsj": 1}
    assert {f["value"]: f["count"] for f in facets["benefit_type"]}["premises"] == 1
    assert facets["auto_grant"] == 1
    assert facets["open"] == 2
    industries = {f["value"]: f["count"] for f in facets["industry"]}
    assert industries == {"C": 1, "C39": 1, "C40": 1, "all": 1}
    districts = {f["value"]: f["label"] for f in facets["district"]}
    assert districts["all"] == "不限区域"


def test_search_results_page_has_constant_query_count(library):
    # given many more published policies with interpretations
    for i in range(15):
        policy = PolicyFactory(
            title=f"补贴政策{i}", status=PolicyStatus.PUBLISHED, published_at=timezone.now()
        )
        InterpretationFactory(policy=policy, body="补贴解读")
    policy_search_index_update(policy_ids=list(type(policy).objects.values_list("pk", flat=True)))
    # when a page of results with snippets is built
    with CaptureQueriesContext(connection) as ctx:
        results = policy_search_results(q="补贴", filters={}, limit=20)
        for row in results:
            assert row["policy"].department.name
    # then: one query for the policies (with departments), one for their interpretations
    assert len(results) == 17
    assert len(ctx.captured_queries) == 2


def test_facets_take_a_constant_number_of_queries(library):
    with CaptureQueriesContext(connection) as ctx:
        policy_facets(q="补贴", filters={"department": "zz-gxj"})
    assert len(ctx.captured_queries) == 1
