"""Pages of the 诉求 loop, the liaison briefing and the dashboard: who sees what."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone

from appeals import services
from appeals.models import Case, Category, RoutingRule
from liaison import services as liaison_services
from tests.factories.accounts import EnterpriseUserFactory, OfficialUserFactory
from tests.factories.enterprises import EnterpriseFactory
from tests.factories.policies import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    dept = DepartmentFactory(code="gxj", name="工信局")
    RoutingRule.objects.create(category=Category.OTHER, department=dept)
    RoutingRule.objects.create(category=Category.FINANCE, department=dept)
    a, b = EnterpriseFactory(), EnterpriseFactory()
    return {
        "dept": dept,
        "a": a,
        "b": b,
        "user_a": EnterpriseUserFactory(enterprise=a),
        "user_b": EnterpriseUserFactory(enterprise=b),
        "official": OfficialUserFactory(departments=[dept]),
        "outsider": OfficialUserFactory(departments=[DepartmentFactory(code="other")]),
    }


def login(client, user):
    client.force_login(user)
    return client


def test_enterprise_raises_a_problem_from_the_portal(client, world):
    login(client, world["user_a"])
    response = client.post(
        reverse("appeals:new"),
        {"kind": "problem", "category": "finance", "title": "贷款", "description": "放款慢"},
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("appeals:detail", args=[case.pk])
    assert case.enterprise == world["a"] and case.department == world["dept"]
    page = client.get(reverse("appeals:detail", args=[case.pk]))
    assert "放款慢" in page.content.decode()


def test_a_bad_form_shows_the_field_error_in_chinese_and_saves_nothing(client, world):
    login(client, world["user_a"])
    response = client.post(
        reverse("appeals:new"), {"kind": "problem", "category": "finance", "title": "", "description": "x"}
    )
    assert response.status_code == 200 and "该字段是必填项" in response.content.decode()
    assert Case.objects.count() == 0


def test_uploads_are_checked_and_served_only_to_who_may_see_them(client, world):
    login(client, world["user_a"])
    fake_pdf = io.BytesIO(b"MZ not a pdf")
    fake_pdf.name = "合同.pdf"
    response = client.post(
        reverse("appeals:new"),
        {
            "kind": "problem",
            "category": "finance",
            "title": "t",
            "description": "d",
            "attachments": [fake_pdf],
        },
    )
    assert response.status_code == 200 and "不符" in response.content.decode()
    real_pdf = io.BytesIO(b"%PDF-1.4\n%test\n")
    real_pdf.name = "合同.pdf"
    client.post(
        reverse("appeals:new"),
        {
            "kind": "problem",
            "category": "finance",
            "title": "t",
            "description": "d",
            "attachments": [real_pdf],
        },
    )
    case = Case.objects.get()
    attachment = case.attachments.get()
    url = reverse("appeals:attachment", args=[case.pk, attachment.pk])
    assert attachment.file.name.startswith("private/")
    assert client.get(url).status_code == 200
    login(client, world["user_b"])
    assert client.get(url).status_code == 404
    login(client, world["outsider"])
    assert client.get(url).status_code == 404
    login(client, world["official"])
    assert client.get(url).status_code == 200


def test_an_enterprise_never_sees_another_enterprises_case(client, world):
    case = services.case_raise(
        enterprise=world["b"], raised_by=world["user_b"], category="other", title="t", description="d"
    )
    login(client, world["user_a"])
    assert client.get(reverse("appeals:detail", args=[case.pk])).status_code == 404
    assert case.number not in client.get(reverse("appeals:mine")).content.decode()
    # and enterprise users cannot open the staff pages
    assert client.get(reverse("appeals:staff_queue")).status_code == 403


def test_official_handles_a_case_through_the_staff_pages(client, world):
    case = services.case_raise(
        enterprise=world["a"], raised_by=world["user_a"], category="other", title="t", description="d"
    )
    login(client, world["outsider"])
    assert client.get(reverse("appeals:staff_case", args=[case.pk])).status_code == 404
    login(client, world["official"])
    queue = client.get(reverse("appeals:staff_queue"))
    assert case.number in queue.content.decode()
    client.post(reverse("appeals:staff_case", args=[case.pk]), {"action": "accept"})
    client.post(reverse("appeals:staff_case", args=[case.pk]), {"action": "answer", "reply": "已办理"})
    case.refresh_from_db()
    assert case.status == "answered" and case.reply == "已办理"
    login(client, world["user_a"])
    client.post(reverse("appeals:detail", args=[case.pk]), {"action": "confirm", "resolved": "yes"})
    login(client, world["official"])
    client.post(reverse("appeals:staff_case", args=[case.pk]), {"action": "close"})
    login(client, world["user_a"])
    client.post(
        reverse("appeals:detail", args=[case.pk]), {"action": "rate", "score": "1", "comment": "不满意"}
    )
    assert Case.objects.filter(parent=case, escalated=True).count() == 1


def test_staff_queue_has_no_n_plus_one(client, world, django_assert_max_num_queries):
    for i in range(15):
        services.case_raise(
            enterprise=world["a"], raised_by=world["user_a"], category="other", title=f"t{i}", description="d"
        )
    login(client, world["official"])
    with django_assert_max_num_queries(14):
        response = client.get(reverse("appeals:staff_queue"))
    assert response.status_code == 200


def test_briefing_is_for_the_enterprises_liaison_only(client, world):
    liaison_services.assignment_create(enterprise=world["a"], official=world["official"])
    services.case_raise(
        enterprise=world["a"],
        raised_by=world["user_a"],
        category="other",
        title="开放中的问题",
        description="d",
    )
    login(client, world["official"])
    page = client.get(reverse("liaison:briefing", args=[world["a"].pk]))
    assert page.status_code == 200 and "开放中的问题" in page.content.decode()
    assert client.get(reverse("liaison:briefing", args=[world["b"].pk])).status_code == 403
    response = client.post(
        reverse("liaison:visit_new", args=[world["a"].pk]),
        {
            "visited_on": timezone.localdate().isoformat(),
            "discussed": "交流扩产",
            "problem_category": "land",
            "problem_title": "用地",
            "problem_description": "缺指标",
        },
    )
    assert response.status_code == 302
    assert world["a"].visits.count() == 1 and Case.objects.filter(source="visit").count() == 1


def test_dashboard_shows_figures_and_exports_xlsx(client, world):
    services.case_raise(
        enterprise=world["a"], raised_by=world["user_a"], category="other", title="t", description="d"
    )
    login(client, world["user_a"])
    assert client.get(reverse("dashboard:index")).status_code == 403
    login(client, world["official"])
    page = client.get(reverse("dashboard:index"))
    assert page.status_code == 200
    assert page.context["figures"]["cases"]["collected"] == 1
    export = client.get(reverse("dashboard:export"))
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(export.content))
    assert "诉求-部门" in wb.sheetnames
    rows = list(wb["诉求-部门"].values)
    assert rows[1][rows[0].index("collected")] == 1


def test_pages_speak_chinese_by_default_and_english_on_request(client, world):
    login(client, world["user_a"])
    assert "我的诉求" in client.get(reverse("appeals:mine")).content.decode()
    client.cookies.load({"django_language": "en"})
    english = client.get(reverse("appeals:mine"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "My cases" in english and "我的诉求" not in english.split("<main")[1]
