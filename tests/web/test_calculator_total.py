"""The calculator and 我的政策 count what an enterprise can still get by the same rule: an
eligible policy whose application window has closed is shown but left out of the total."""

import datetime

from django.urls import reverse
from django.utils import timezone

from policies.models import Policy


def _close_window(policy) -> None:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    # updated_at moves too: the per-process copy of the published policies is keyed on it
    Policy.objects.filter(pk=policy.pk).update(apply_end=yesterday, updated_at=timezone.now())


def _calculate(client):
    year = timezone.localdate().year - 1
    form = client.get(reverse("web:calculator")).context["form"]
    tag_field = next(name for name, tag in form.tag_fields if tag == "高新技术企业")
    # every answer at once, straight to the results (the screener's 「直接查看结果」)
    return client.post(
        reverse("web:calculator"),
        {
            "district": "410105",
            "industry": "I6513",
            "registered_capital": "500",
            f"ind_rd_expense_{year}": "300",
            tag_field: "on",
            "results": "1",
        },
        follow=True,
    )


def test_the_calculator_leaves_a_closed_policy_out_of_its_total_and_says_so(client, city):
    # given the R&D subsidy (300,000 for this profile) closed yesterday
    _close_window(city.policies["rd"])
    # when
    response = _calculate(client)
    # then it is still listed as eligible, marked closed, and not in the total
    results = response.context["results"]
    rows = {r.policy.title: r for r in results["eligible"]}
    assert rows["郑州市企业研发费用后补助"].closed
    assert rows["郑州市企业研发费用后补助"].amount == 300000
    assert not rows["高新技术企业认定奖励"].closed
    assert results["total"] == 300000  # was 600,000 with the window open
    assert "已截止申报" in response.content.decode()


def test_the_calculator_and_my_policies_agree_on_the_total(client, client_jia, city):
    # given one closed and several open eligible policies for 甲
    _close_window(city.policies["rd"])
    # when 甲 states its own data in the calculator and opens 我的政策
    calculated = _calculate(client).context["results"]
    mine = client_jia.get(reverse("web:my_policies")).context
    # then the closed policy counts in neither
    closed_in_mine = {i.policy.title for i in mine["eligible"] if i.closed}
    closed_in_calculator = {r.policy.title for r in calculated["eligible"] if r.closed}
    assert closed_in_mine == closed_in_calculator == {"郑州市企业研发费用后补助"}
    assert calculated["total"] == mine["total"] == 300000
