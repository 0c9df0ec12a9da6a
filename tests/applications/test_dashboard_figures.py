"""The staff dashboard's application and grant figures follow its filters (period, district,
department) inside the official's own departments, on the page and in the xlsx export."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from applications import services
from applications.models import GrantStatus
from applications.selectors import days_to_money, department_figures, grant_totals
from tests.factories.accounts import EnterpriseUserFactory, SuperuserFactory
from tests.factories.applications import GrantFactory
from tests.factories.enterprises import EnterpriseFactory
from tests.factories.policies import PolicyFactory

from .conftest import at

pytestmark = pytest.mark.django_db

JINSHUI, ZHONGYUAN = "410105", "410102"
Q1 = {"start": "2026-01-01", "end": "2026-03-31"}


@pytest.fixture
def world(department, other_department):
    """Applications and paid grants in two districts, two departments and two periods:
    exactly one of each is 工信局 / 金水区 / first quarter of 2026."""
    jinshui = EnterpriseFactory(name="金水企业", district=JINSHUI)
    zhongyuan = EnterpriseFactory(name="中原企业", district=ZHONGYUAN)
    users = {e.pk: EnterpriseUserFactory(enterprise=e) for e in (jinshui, zhongyuan)}

    def policy(dept):
        return PolicyFactory(department=dept, status="published", processing_days=5)

    def submit(pol, enterprise, when):
        return services.application_submit(
            policy=pol,
            enterprise=enterprise,
            applicant=users[enterprise.pk],
            declared={"contact_name": "李经理", "contact_phone": "13812345678"},
            files=[],
            now=when,
        )

    gxj_a, gxj_b, swj_a = policy(department), policy(department), policy(other_department)
    submit(gxj_a, jinshui, at(2026, 2, 10))  # the one that matches
    submit(gxj_a, zhongyuan, at(2026, 2, 11))  # other district
    submit(gxj_b, jinshui, at(2025, 11, 10))  # other period
    submit(swj_a, jinshui, at(2026, 2, 12))  # other department

    def grant(dept, enterprise, amount, paid_on, status=GrantStatus.PAID):
        return GrantFactory(
            policy__department=dept,
            enterprise=enterprise,
            amount=Decimal(amount),
            status=status,
            paid_on=paid_on,
            eligible_since=at(2026, 2, 1) if paid_on else at(2026, 3, 1),
        )

    grant(department, jinshui, "100", date(2026, 2, 20))  # the one that matches: 19 days to money
    grant(department, zhongyuan, "200", date(2026, 2, 21))
    grant(department, jinshui, "400", date(2025, 11, 20))
    grant(other_department, jinshui, "800", date(2026, 2, 22))
    grant(department, jinshui, "1600", None, status=GrantStatus.AWAITING_ACCOUNT)  # not paid: no payment date
    return {"gxj": department, "swj": other_department}


def test_filtered_dashboard_shows_only_the_matching_applications_and_grants(client, world):
    client.force_login(SuperuserFactory())
    query = {**Q1, "district": JINSHUI, "department": world["gxj"].pk}
    apps = client.get(reverse("dashboard:index"), query).context["figures"]["applications"]

    [row] = apps["by_department"]
    assert (row["department_id"], row["received"], row["open"]) == (world["gxj"].pk, 1, 1)
    [month] = apps["grants_by_month"]
    assert (month["label"], month["count"], month["paid"]) == ("2026-02", 1, Decimal("100"))
    assert apps["days_to_money"]["overall"] == {"count": 1, "median": 19, "mean": 19.0, "max": 19}

    # the xlsx export carries the same filtered figures
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(client.get(reverse("dashboard:export"), query).content))
    header, *rows = wb["申报-部门"].values
    assert [r[header.index("received")] for r in rows] == [1]
    header, *rows = wb["兑付-按月"].values
    assert [(r[header.index("month")], r[header.index("paid")]) for r in rows] == [("2026-02", 100)]
    header, *rows = wb["到账天数"].values
    assert rows[0][header.index("count")] == 1


def test_each_filter_narrows_on_its_own(client, world):
    client.force_login(SuperuserFactory())

    def figures(**query):
        apps = client.get(reverse("dashboard:index"), query).context["figures"]["applications"]
        return (
            sum(r["received"] for r in apps["by_department"]),
            sum(r["paid"] for r in apps["grants_by_month"]),
            apps["days_to_money"]["overall"]["count"],
        )

    assert figures() == (4, Decimal("1500"), 4)
    assert figures(**Q1) == (3, Decimal("1100"), 3)
    assert figures(district=ZHONGYUAN) == (1, Decimal("200"), 1)
    assert figures(department=world["swj"].pk) == (1, Decimal("800"), 1)


def test_an_official_filtering_to_another_department_sees_nothing_of_it(client, world, official):
    gxj, swj = world["gxj"].pk, world["swj"].pk
    # the selectors: the filter narrows the official's departments, never widens them
    assert department_figures(user=official, department_id=swj) == []
    assert grant_totals(user=official, by="month", department_id=swj) == []
    assert grant_totals(user=official, by="district", department_id=swj) == []
    assert days_to_money(user=official, department_id=swj)["overall"]["count"] == 0
    # the page: nothing of 商务局 (its application and its 800 yuan), only the official's own
    client.force_login(official)
    apps = client.get(reverse("dashboard:index"), {"department": swj}).context["figures"]["applications"]
    assert {r["department_id"] for r in apps["by_department"]} == {gxj}
    assert sum(r["received"] for r in apps["by_department"]) == 3
    assert sum(r["paid"] for r in apps["grants_by_month"]) == Decimal("700")
