"""Browser paths of issue 8: a problem raised, routed, answered, confirmed, closed and rated
(a bad rating reopens it); a liaison official's briefing and visit; an arrears case run to
settlement; the dashboard's charts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from appeals.models import ArrearsCase, Case, Category, RoutingRule
from applications.models import DepartmentHead
from liaison import services as liaison_services
from tests.factories.accounts import EnterpriseUserFactory, OfficialUserFactory
from tests.factories.enterprises import EnterpriseFactory
from tests.factories.policies import DepartmentFactory

from .conftest import login, shoot

pytestmark = pytest.mark.browser


@pytest.fixture
def appeals_city(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    dept = DepartmentFactory(code="zz-gxj", name="郑州市工业和信息化局")
    for category in Category.values:
        RoutingRule.objects.create(category=category, department=dept)
    enterprise = EnterpriseFactory(name="郑州智算科技有限公司", district="410105")
    official = OfficialUserFactory(username="wang", departments=[dept], first_name="王科长")
    DepartmentHead.objects.create(department=dept, user=official)
    return {
        "dept": dept,
        "enterprise": enterprise,
        "official": official,
        "user": EnterpriseUserFactory(username="qiye", enterprise=enterprise),
    }


def test_a_problem_goes_round_the_whole_loop_and_a_bad_rating_reopens_it(
    appeals_city, live_server, page, new_page
):
    base = live_server.url
    # the enterprise raises a problem
    login(page, base, "qiye")
    page.goto(f"{base}/appeals/new/")
    page.select_option("#id_category", "finance")
    page.fill("#id_title", "科技贷放款慢")
    page.fill("#id_description", "三月申请的科技贷至今未放款，影响设备采购。")
    shoot(page, "appeal-new")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "科技贷放款慢" in page.inner_text("h1")
    case = Case.objects.get()
    assert case.department == appeals_city["dept"]

    # the department accepts and answers it
    staff = new_page()
    login(staff, base, "wang")
    staff.goto(f"{base}/appeals/staff/")
    shoot(staff, "appeal-staff-queue")
    staff.click(f"text={case.number}")
    staff.click("button[value=accept]")
    staff.fill("#id_reply", "已协调合作银行，贷款5个工作日内放款。")
    staff.click("form:has(input[value=answer]) button[type=submit]")
    staff.wait_for_load_state("networkidle")
    assert "已答复" in staff.inner_text("main")
    shoot(staff, "appeal-staff-case")

    # the enterprise confirms it is resolved
    page.reload()
    page.check("input[name=resolved][value=yes]")
    page.click("form:has(input[value=confirm]) button[type=submit]")
    page.wait_for_load_state("networkidle")

    # the department closes it
    staff.reload()
    staff.click("button[value=close]")
    staff.wait_for_load_state("networkidle")
    assert "已办结" in staff.inner_text("main")

    # the enterprise rates it badly: a new work item for the department head appears
    page.reload()
    page.check("input[name=score][value='1']")
    page.fill("#id_comment", "放款仍然延迟")
    shoot(page, "appeal-rate")
    page.click("form:has(input[value=rate]) button[type=submit]")
    page.wait_for_load_state("networkidle")
    follow_up = Case.objects.get(parent=case)
    assert follow_up.escalated and follow_up.is_open
    staff.goto(f"{base}/appeals/staff/")
    assert "差评重办" in staff.inner_text("main")


def test_liaison_briefing_visit_and_arrears_to_settlement(appeals_city, live_server, page, new_page):
    base = live_server.url
    liaison_services.assignment_create(
        enterprise=appeals_city["enterprise"], official=appeals_city["official"]
    )
    staff = new_page()
    login(staff, base, "wang")
    staff.goto(f"{base}/liaison/")
    staff.click("text=走访前简报")
    assert "郑州智算科技有限公司" in staff.inner_text("h1")
    shoot(staff, "liaison-briefing")
    staff.click("text=记录本次走访")
    staff.fill("#id_discussed", "了解扩产计划和用地需求")
    staff.select_option("#id_problem_category", "land")
    staff.fill("#id_problem_title", "扩产用地指标不足")
    staff.fill("#id_problem_description", "需新增工业用地20亩")
    staff.click("main form button[type=submit]")
    staff.wait_for_load_state("networkidle")
    assert "扩产用地指标不足" in staff.inner_text("main")

    # arrears: the enterprise reports, the department verifies, agrees a plan, records repayment
    login(page, base, "qiye")
    page.goto(f"{base}/appeals/arrears/new/")
    page.fill("#id_debtor_name", "某区市政工程管理处")
    page.select_option("#id_debtor_type", "public_institution")
    page.fill("#id_amount", "380000")
    today = timezone.localdate()
    page.fill("#id_due_on", str(today - dt.timedelta(days=250)))
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    arrears = ArrearsCase.objects.get()
    staff.goto(f"{base}/appeals/staff/arrears/{arrears.pk}/")
    staff.check("input[name=accept][value=yes]")
    staff.click("form:has(input[value=verify]) button[type=submit]")
    staff.fill("#id_plan", f"{today + dt.timedelta(days=25)} 380000")
    staff.click("form:has(input[value=plan]) button[type=submit]")
    staff.fill("#id_paid_on", str(today - dt.timedelta(days=1)))
    staff.fill("#id_amount", "380000")
    staff.click("form:has(input[value=repayment]) button[type=submit]")
    staff.wait_for_load_state("networkidle")
    shoot(staff, "arrears-staff")
    page.goto(f"{base}/appeals/arrears/{arrears.pk}/")
    page.click("button[value=settle]")
    page.wait_for_load_state("networkidle")
    arrears.refresh_from_db()
    assert arrears.status == "settled"
    shoot(page, "arrears-enterprise")

    # the dashboard draws its charts
    staff.goto(f"{base}/staff/dashboard/")
    staff.wait_for_selector("#chart-dept svg")
    assert "收集诉求" in staff.inner_text("main")
    shoot(staff, "dashboard")
