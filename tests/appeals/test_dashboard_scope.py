"""The staff dashboard opens on all of the official's departments, says 「暂无数据」 where there is
nothing to chart, and names divisions (110105 → 北京市朝阳区) instead of showing codes."""

import pytest
from django.urls import reverse

from appeals import services
from appeals.models import Category, RoutingRule
from dashboard.selectors import Filters, dashboard_figures
from liaison.selectors import coverage_by_district
from tests.factories.accounts import EnterpriseUserFactory, OfficialUserFactory
from tests.factories.enterprises import EnterpriseFactory
from tests.factories.policies import DepartmentFactory, PolicyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def depts():
    kjj = DepartmentFactory(code="kjj", name="科技局")
    gxj = DepartmentFactory(code="gxj", name="工业和信息化局")
    third = DepartmentFactory(code="czj", name="财政局")
    RoutingRule.objects.create(category=Category.OTHER, department=third)
    enterprise = EnterpriseFactory(district="410105")
    user = EnterpriseUserFactory(enterprise=enterprise)
    for dept in (kjj, gxj, third):
        services.case_raise(
            enterprise=enterprise,
            raised_by=user,
            category=Category.POLICY,
            title=f"关于{dept.name}的政策",
            description="d",
            policy=PolicyFactory(department=dept, status="published"),
        )
    return {"kjj": kjj, "gxj": gxj, "third": third, "official": OfficialUserFactory(departments=[kjj, gxj])}


def test_the_default_scope_is_every_department_of_the_official(client, depts):
    client.force_login(depts["official"])
    page = client.get(reverse("dashboard:index"))
    figures = page.context["figures"]
    assert page.context["filters"].department_id is None
    assert figures["cases"]["collected"] == 2  # 科技局 and 工信局, not 财政局
    assert {r["label"] for r in figures["cases_by_department"]} == {"科技局", "工业和信息化局"}
    assert figures["matching"]["policies"] == 2
    assert "我的全部部门" in page.content.decode()
    # choosing one narrows to it; a department that is not theirs falls back to all of theirs
    one = client.get(reverse("dashboard:index"), {"department": depts["gxj"].pk}).context["figures"]
    assert one["cases"]["collected"] == 1
    other = client.get(reverse("dashboard:index"), {"department": depts["third"].pk}).context["figures"]
    assert other["cases"]["collected"] == 2


def test_selectors_scope_by_department_ids(depts):
    admin_view = dashboard_figures(Filters(department_ids=None), user=depts["official"])
    assert admin_view["cases"]["collected"] == 3
    mine = dashboard_figures(Filters(department_ids=(depts["kjj"].pk,)), user=depts["official"])
    assert mine["cases"]["collected"] == 1
    nothing = dashboard_figures(Filters(department_ids=()), user=depts["official"])
    assert nothing["cases"]["collected"] == 0 and nothing["cases_by_department"] == []


def test_every_chart_and_table_says_no_data_when_empty(client):
    official = OfficialUserFactory(departments=[DepartmentFactory(code="empty", name="空部门")])
    client.force_login(official)
    html = client.get(reverse("dashboard:index")).content.decode()
    main = html.split("<main", 1)[1]
    for chart in (
        "chart-dept",
        "chart-category",
        "chart-district",
        "chart-grants",
        "chart-debtor",
        "chart-age",
    ):
        assert f'id="{chart}"' not in main
    assert main.count("暂无数据") >= 8
    client.cookies.load({"django_language": "en"})
    english = client.get(reverse("dashboard:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No data" in english


def test_coverage_names_divisions_outside_zhengzhou(depts):
    EnterpriseFactory(district="110105")
    EnterpriseFactory(district="610113")
    names = {row["district"]: row["name"] for row in coverage_by_district()}
    assert names["110105"] == "北京市朝阳区"
    assert names["610113"] == "西安市雁塔区"
    assert names["410105"] == "金水区"
