"""In Chromium at desktop and phone width: the staff dashboard opens on all of an official's
departments, its department axis labels never overlap, the coverage chart names divisions and
an empty dashboard says 「暂无数据」; an enterprise saves an application as a draft, resumes it
from 我的申报 and submits it, and no reviewer sees it before then. axe-core on every page."""

from __future__ import annotations

import pytest

from appeals import services as appeals_services
from appeals.models import Category, RoutingRule
from applications.models import Application, ApplicationDraft
from liaison import services as liaison_services
from tests.factories.accounts import EnterpriseUserFactory, OfficialUserFactory
from tests.factories.enterprises import EnterpriseFactory
from tests.factories.policies import DepartmentFactory, MaterialFactory, PolicyFactory

from .axe import assert_accessible
from .conftest import SCREENSHOTS, login, shoot

pytestmark = pytest.mark.browser

OVERLAPS = """(sel) => {
  const texts = [...document.querySelectorAll(sel + ' svg text')]
    .map(t => [t.textContent, t.getBoundingClientRect()]).filter(([, r]) => r.width > 0 && r.height > 0);
  const pairs = [];
  for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
    const a = texts[i][1], b = texts[j][1];
    if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) {
      pairs.push([texts[i][0], texts[j][0]]);
    }
  }
  return {texts: texts.length, overlaps: pairs.length, pairs: pairs.slice(0, 5)};
}"""

LONG_NAMES = [
    "郑州市工业和信息化局",
    "郑州市科学技术局",
    "郑州市市场监督管理局",
    "郑州航空港经济综合实验区管理委员会",
    "郑州市人力资源和社会保障局",
    "郑州市发展和改革委员会",
]


@pytest.fixture
def dashboard_city(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    depts = [DepartmentFactory(code=f"d{i}", name=name) for i, name in enumerate(LONG_NAMES)]
    RoutingRule.objects.create(category=Category.OTHER, department=depts[0])
    official = OfficialUserFactory(username="shi", departments=depts, first_name="市级")
    enterprises = [EnterpriseFactory(district=d) for d in ("410105", "410102", "110105", "610113")]
    for i, enterprise in enumerate(enterprises):
        user = EnterpriseUserFactory(enterprise=enterprise)
        for dept in depts[i : i + 3]:
            appeals_services.case_raise(
                enterprise=enterprise,
                raised_by=user,
                category=Category.POLICY,
                title=f"{dept.name}政策咨询",
                description="d",
                policy=PolicyFactory(department=dept, status="published"),
            )
    liaison_services.assignment_create(enterprise=enterprises[2], official=official)
    OfficialUserFactory(username="kong", departments=[DepartmentFactory(code="empty", name="空部门")])
    return {"depts": depts}


def test_dashboard_all_departments_readable_axes_division_names_and_empty_states(
    dashboard_city, live_server, page
):
    base = live_server.url
    login(page, base, "shi")
    page.goto(f"{base}/staff/dashboard/")
    page.wait_for_selector("#chart-dept svg")
    main = page.inner_text("main")
    assert "我的全部部门" in main
    # every department of the official is on the chart, none hidden behind a default of one
    chart_text = page.inner_text("#chart-dept")
    for name in ("郑州市工业和信息化局", "郑州航空港经济综合实验区管理委员会"):
        assert name.replace("委员会", "") in chart_text.replace("\n", "")
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(400)
        for chart in ("#chart-dept", "#chart-district", "#chart-coverage"):
            found = page.evaluate(OVERLAPS, chart)
            assert found["texts"] > 0 and found["overlaps"] == 0, (width, chart, found)
            page.locator(chart).screenshot(path=str(SCREENSHOTS / f"dashboard-{chart[1:]}-{width}.png"))
    page.set_viewport_size({"width": 1280, "height": 900})
    coverage = page.inner_text("#chart-coverage").replace("\n", "")
    assert "北京市朝阳区" in coverage and "西安市雁塔区" in coverage and "110105" not in coverage
    assert_accessible(page, "dashboard-all-departments")
    shoot(page, "dashboard-all-departments")

    page.context.clear_cookies()
    login(page, base, "kong")
    page.goto(f"{base}/staff/dashboard/")
    page.wait_for_load_state("networkidle")
    assert page.locator("main .empty-chart").count() >= 8
    assert page.locator("main svg").count() == 0 or page.locator("#chart-coverage svg").count() <= 1
    assert_accessible(page, "dashboard-empty")
    shoot(page, "dashboard-empty")


@pytest.fixture
def draft_city(transactional_db, settings):
    from enterprises.models import IndicatorDefinition

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    IndicatorDefinition.objects.get_or_create(
        code="rd_expense", defaults={"name": "研发费用", "type": "money", "unit": "元"}
    )
    dept = DepartmentFactory(code="kjj", name="郑州市科学技术局")
    policy = PolicyFactory(
        title="研发费用后补助",
        department=dept,
        status="published",
        processing_days=5,
        criteria={"all": [{"field": "rd_expense", "period": "last_year", "op": ">=", "value": 1000000}]},
    )
    MaterialFactory(
        policy=policy, name="研发费用专项审计报告", from_shared_data=False, required=True, position=1
    )
    enterprise = EnterpriseFactory(
        name="郑州智造科技有限公司", contact_name="李经理", contact_phone="13812345678"
    )
    EnterpriseUserFactory(username="zhizao", enterprise=enterprise)
    OfficialUserFactory(username="keji", departments=[dept])
    return {"policy": policy}


def test_save_draft_resume_from_my_applications_and_submit(draft_city, live_server, page, new_page, tmp_path):
    base = live_server.url
    policy = draft_city["policy"]
    login(page, base, "zhizao")
    page.goto(f"{base}/applications/apply/{policy.pk}/")
    page.fill("#id_declared__rd_expense", "2500000")
    page.click("button[value=draft]")
    page.wait_for_load_state("networkidle")
    assert "已暂存" in page.inner_text("main")
    assert ApplicationDraft.objects.count() == 1 and not Application.objects.exists()

    # the department's reviewer sees nothing to review
    staff = new_page()
    login(staff, base, "keji")
    staff.goto(f"{base}/applications/review/")
    assert "研发费用后补助" not in staff.inner_text("main")

    # 我的申报 lists the draft; 继续填写 brings back what was typed
    page.goto(f"{base}/applications/mine/")
    assert "草稿" in page.inner_text("#drafts")
    assert_accessible(page, "my-applications-draft")
    shoot(page, "my-applications-draft")
    page.click("#drafts a.btn")
    page.wait_for_load_state("networkidle")
    assert page.input_value("#id_declared__rd_expense") == "2500000"
    assert page.locator("[data-draft]").count() == 1
    assert_accessible(page, "apply-draft-resumed")
    shoot(page, "apply-draft-resumed")
    report = tmp_path / "审计报告.pdf"
    report.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    material = policy.materials.get()
    page.set_input_files(f"#id_material_{material.pk}", str(report))
    page.click("button[value=submit]")
    page.wait_for_load_state("networkidle")
    application = Application.objects.get()
    assert application.status == "submitted" and not ApplicationDraft.objects.exists()
    staff.goto(f"{base}/applications/review/")
    assert application.reference in staff.inner_text("main")


def test_a_question_about_a_policy_goes_to_its_department_and_is_rated_with_labels(
    transactional_db, settings, live_server, page
):
    from appeals import services
    from appeals.models import Case

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    kjj = DepartmentFactory(code="kjj", name="郑州市科学技术局")
    scj = DepartmentFactory(code="scj", name="郑州市市场监督管理局")
    for category in Category.values:
        RoutingRule.objects.create(category=category, department=scj)
    policy = PolicyFactory(department=kjj, status="published", title="高新技术企业认定奖励")
    enterprise = EnterpriseFactory(name="郑州智算科技有限公司")
    EnterpriseUserFactory(username="qiye", enterprise=enterprise)
    official = OfficialUserFactory(username="kj", departments=[kjj])
    base = live_server.url
    login(page, base, "qiye")
    page.goto(f"{base}/appeals/new/")
    page.select_option("#id_category", "policy")
    page.select_option("#id_policy", str(policy.pk))
    page.fill("#id_title", "认定奖励何时拨付")
    page.fill("#id_description", "去年通过高新技术企业认定，奖励尚未拨付。")
    assert_accessible(page, "appeal-new-with-policy")
    shoot(page, "appeal-new-with-policy")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    case = Case.objects.get()
    assert case.department == kjj and "郑州市科学技术局" in page.inner_text("main")

    services.case_accept(case=case, actor=official)
    services.case_answer(case=case, reply="已列入本月拨付计划。", actor=official)
    page.reload()
    page.check("input[name=resolved][value=yes]")
    page.click("form:has(input[value=confirm]) button[type=submit]")
    page.wait_for_load_state("networkidle")
    # rating opens on confirmation, before staff close the case, with the five labels
    rate = page.locator("form#rate")
    for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert rate.get_by_label(label, exact=True).count() == 1
    assert_accessible(page, "appeal-rate-labels")
    shoot(page, "appeal-rate-labels")
    rate.get_by_label("满意", exact=True).check()
    page.click("form#rate button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert case.rating.get_score_display() == "满意"
    assert "满意" in page.inner_text("main")
