"""Amounts that mean what they say: 我的政策, the calculator, the eligibility API and pushes
show 「确定可享」 and 「最高可申」 apart; a 评审择优 prize or a 最高不超过 ceiling is never in
what the enterprise is sure to receive, and a closed policy counts in neither figure."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from matching.criteria.award_kind import award_kind
from matching.eligibility import awards_totals
from matching.models import Match
from matching.pipeline.messages import single_message
from policies.models import Policy
from policies.services import policy_create, policy_publish
from portal.web.selectors import MatchItem, PolicyBrief
from tests.factories.enterprises import EnterpriseFactory
from tests.factories.matching import NotificationFactory
from tests.factories.policies import PolicyFactory

QUALITY_PRIZE = "郑州市市长质量奖奖励"


def _prize(city, **extra) -> Policy:
    """A 评审择优 prize of 500,000 every enterprise of the city qualifies to apply for."""
    policy = policy_create(
        actor=None,
        data={
            "title": QUALITY_PRIZE,
            "department": city.department,
            "summary": "经评审获市长质量奖的企业奖励50万元。",
            "criteria": {"all": [{"field": "district", "op": "within", "value": ["4101"]}]},
            "award": {"amount": "500000"},
            "award_basis": "competitive",
            **extra,
        },
    )
    return policy_publish(policy=policy, actor=None)


@pytest.fixture
def prize(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return _prize(city)


def _calculate(client):
    year = timezone.localdate().year - 1
    form = client.get(reverse("web:calculator")).context["form"]
    tag_field = next(name for name, tag in form.tag_fields if tag == "高新技术企业")
    data = {"district": "410105", "industry": "I6513", "registered_capital": "500", tag_field: "on"}
    data[f"ind_rd_expense_{year}"] = "200"
    data["results"] = "1"  # every answer at once, straight to the results link
    return client.post(reverse("web:calculator"), data, follow=True)


def test_the_kind_is_derived_from_the_expression_unless_declared():
    assert award_kind({"amount": "300000"}) == "fixed"
    assert award_kind({"amount": "min(0.05 * rd_expense@last_year, 3000000)"}) == "formula"
    assert award_kind({"cases": [{"when": {}, "amount": "100000"}]}) == "tiered"
    assert award_kind({"amount": "500000"}, "competitive") == "competitive"
    assert award_kind({"amount": "100000"}, "up_to") == "up_to"
    assert award_kind(None, "competitive") is None


def test_a_competitive_prize_is_not_in_my_policies_certain_total(client_jia, city, prize):
    # when
    response = client_jia.get(reverse("web:my_policies"))
    # then the prize is listed as eligible, as 最高可申 / 评审择优, outside the certain total
    context = response.context
    items = {i.policy.title: i for i in context["eligible"]}
    assert items[QUALITY_PRIZE].kind == "competitive" and not items[QUALITY_PRIZE].counted
    # 200,000 (10 % of R&D) + 300,000 (the higher of its exclusive group)
    assert context["total"] == Decimal("500000")
    assert context["total_max"] == Decimal("1000000")
    html = response.content.decode()
    assert "确定可享合计" in html and "最高可申合计" in html
    assert "评审择优" in html and "不计入确定可享" in html


def test_a_competitive_prize_is_not_in_the_calculators_certain_total(client, city, prize):
    # when
    response = _calculate(client)
    # then
    results = response.context["results"]
    rows = {r.policy.title: r for r in results["eligible"]}
    assert rows[QUALITY_PRIZE].amount == Decimal("500000") and not rows[QUALITY_PRIZE].certain
    assert results["total"] == Decimal("500000")
    assert results["total_max"] == Decimal("1000000")
    assert "最高可申" in response.content.decode()


def test_the_calculator_and_my_policies_agree_on_both_totals(client, client_jia, city, prize):
    mine = client_jia.get(reverse("web:my_policies")).context
    calculated = _calculate(client).context["results"]
    assert (calculated["total"], calculated["total_max"]) == (mine["total"], mine["total_max"])


def test_a_closed_policy_counts_in_neither_total(client_jia, city, prize):
    # given the prize's window closed yesterday, and the R&D subsidy's too
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Policy.objects.filter(pk__in=[prize.pk, city.policies["rd"].pk]).update(
        apply_end=yesterday, updated_at=timezone.now()
    )
    # when
    context = client_jia.get(reverse("web:my_policies")).context
    # then only the 300,000 of the open exclusive group is left, in both figures
    assert context["total"] == context["total_max"] == Decimal("300000")


def test_in_an_exclusive_group_each_total_counts_only_the_highest_award():
    def item(pid, amount, basis="", closed_days=None):
        today = datetime.date(2026, 12, 6)
        brief = PolicyBrief(
            id=pid, title=f"p{pid}", department="d", benefit_type="subsidy", criteria={},
            award={"amount": amount}, auto_grant=False, exclusive_group="梯度奖励", apply_start=None,
            apply_end=today - datetime.timedelta(days=closed_days) if closed_days else None, version=1,
            award_basis=basis,
        )  # fmt: skip
        return MatchItem(policy=brief, status="eligible", amount=Decimal(amount), as_of=today)

    fixed, prize, closed = (
        item(1, "200000"),
        item(2, "500000", "competitive"),
        item(3, "900000", closed_days=2),
    )
    totals = awards_totals([fixed, prize, closed])
    # the certain figure keeps the fixed award; the ceiling is the prize; the closed one neither
    assert totals.certain == Decimal("200000") and fixed.counted and not prize.counted
    assert totals.most == Decimal("500000") and prize.counted_max and not fixed.counted_max
    assert not closed.counted and not closed.counted_max


def test_the_eligibility_api_says_each_awards_kind_and_both_totals(client, city, prize):
    # when
    response = client.post(
        "/api/v1/eligibility/",
        {"profile": {"district": "410105", "registered_capital": "5000000"}},
        content_type="application/json",
    )
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    kinds = {row["title"]: row["award_kind"] for row in body["eligible"]}
    assert kinds[QUALITY_PRIZE] == "competitive"
    assert kinds["科技型企业普惠奖励"] == "fixed"
    # 100,000 (普惠) certain; the R&D formula's amount is unknown without rd_expense
    assert Decimal(body["totals"]["certain"]) == Decimal("100000")
    assert Decimal(body["totals"]["most"]) == Decimal("600000")


@pytest.mark.django_db
def test_a_push_says_which_kind_the_amount_is():
    ent = EnterpriseFactory()
    prize = PolicyFactory(status="published", title=QUALITY_PRIZE, award={"amount": "500000"})
    Policy.objects.filter(pk=prize.pk).update(award_basis="competitive")
    prize.refresh_from_db()
    Match.objects.create(
        policy=prize, enterprise=ent, status="eligible", amount=Decimal("500000"), matched_at=timezone.now()
    )
    # when
    message = single_message(NotificationFactory(enterprise=ent, policy=prize, channel="email"))
    # then
    assert "最高可申（评审择优）：50万元" in message.text
    assert "最高可申50万元" in message.short
    assert message.data["items"][0]["award_kind"] == "competitive"


def test_the_policy_page_shows_a_prize_as_up_to_not_as_expected(client_jia, city, prize):
    html = client_jia.get(reverse("web:policy_detail", args=[prize.pk])).content.decode()
    assert "最高可申" in html and "金额性质：评审择优" in html
    assert "预计可享" not in html
    certain = client_jia.get(
        reverse("web:policy_detail", args=[city.policies["hightech"].pk])
    ).content.decode()
    assert "预计可享" in certain and "金额性质：定额" in certain


def test_the_home_figure_counts_only_certain_amounts_of_policies_still_open(city, prize):
    from django.core.cache import cache

    from portal.web.selectors import portal_figures

    # given the prize matched (500,000 for each of the two enterprises): it is not in the figure
    assert Match.objects.filter(policy=prize, status="eligible").count() == 2
    before = portal_figures()["amount"]
    # when the R&D subsidy closes, its matched amounts leave the figure too
    rd = Match.objects.filter(policy=city.policies["rd"], status="eligible").aggregate(s=Sum("amount"))["s"]
    Policy.objects.filter(pk=city.policies["rd"].pk).update(
        apply_end=timezone.localdate() - datetime.timedelta(days=1)
    )
    cache.clear()
    after = portal_figures()["amount"]
    # then
    certain = Match.objects.filter(status="eligible").exclude(policy=prize).aggregate(s=Sum("amount"))["s"]
    assert before == certain
    assert after == certain - rd


def test_the_dashboard_counts_the_same_certain_amount_as_the_home_page(city, prize):
    from django.core.cache import cache

    from dashboard.selectors import Filters, matching_figures
    from portal.web.selectors import portal_figures

    # given the prize matched (500,000 each, a 评审择优 ceiling) and the R&D subsidy closed
    Policy.objects.filter(pk=city.policies["rd"].pk).update(
        apply_end=timezone.localdate() - datetime.timedelta(days=1)
    )
    cache.clear()
    # when
    dashboard = matching_figures(Filters())["amount"]
    # then the officials' 确定可享金额 is the home page's figure: neither the prize nor the closed subsidy
    assert dashboard == portal_figures()["amount"]
    every_eligible = Match.objects.filter(status="eligible").aggregate(s=Sum("amount"))["s"]
    assert dashboard < every_eligible
