"""The calculator as a short screener (issue 16, part 2): the question that decides the most
policies first, none that the answers make irrelevant, industry by name or code, and results
kept under an unguessable link that reopens them recomputed on the day's policies."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from enterprises.reference import industry_resolve
from policies.models import Policy
from portal.web.calculator import calculator_form
from portal.web.models import CalculatorAnswers
from portal.web.screener import next_step, standing

pytestmark = pytest.mark.django_db
URL = "/calculator/"


def _step(response) -> list[str]:
    return [question.key for question, _fields in response.context["step"]]


def _post(client, data: dict, *, follow: bool = False):
    return client.post(URL, data, follow=follow)


def _order(answers: dict, asked: set[str]) -> list[str]:
    """The questions in the order the screener would ask them, nothing being answered."""
    form = calculator_form(answers)
    assert form.is_valid(), form.errors
    out: list[str] = []
    while True:
        position, _stated = standing(form, answered=asked, as_of=timezone.localdate())
        step = next_step(form, position, asked=asked | set(out))
        if not step:
            return out
        out += [q.key for q in step]


def test_the_first_question_is_the_one_most_published_policies_use(client, city):
    # given six published policies, four of which read the district
    # when a visitor opens the calculator
    response = client.get(URL)
    # then it asks where the enterprise is (district and zone, one fieldset), nothing else
    assert _step(response) == ["location"]
    html = response.content.decode()
    assert 'name="district"' in html and 'name="registered_capital"' not in html
    position = response.context["position"]
    assert (position.total, position.decided) == (6, 0)


def test_questions_are_ordered_by_how_many_undecided_policies_wait_on_them(city):
    # district: 4 policies; registered capital: 2; industry, revenue and 高新技术企业: 1 each,
    # in the form's order; the R&D expense only sets an amount (the R&D subsidy's), so last
    order = _order({}, set())
    assert order[:2] == ["location", "registered_capital"]
    assert set(order[2:5]) == {"industry", "ind:revenue", "tag:高新技术企业"}
    assert order[-1] == "ind:rd_expense"


def test_a_question_no_undecided_policy_needs_is_not_asked(client, city):
    # given a visitor in 金水区 with a registered capital of 50 万元: the R&D subsidy (needs
    # 100 万元) and the headquarters award (1,000 万元) are excluded
    answers = {"district": "410105", "registered_capital": "50"}
    response = _post(client, {**answers, "step": ["location"]})
    assert response.context["position"].excluded == 2
    # then the R&D expense, which only the R&D subsidy's amount reads, is never asked
    remaining = _order(answers, {"location", "registered_capital"})
    assert "ind:rd_expense" not in remaining and "registered_capital" not in remaining
    assert set(remaining) == {"industry", "ind:revenue", "tag:高新技术企业"}


def test_with_enough_capital_the_rd_expense_is_asked_for_the_amount(city):
    order = _order({"district": "410105", "registered_capital": "500"}, {"location", "registered_capital"})
    assert "ind:rd_expense" in order


def test_a_skipped_question_is_not_asked_again_and_stays_unknown(client, city):
    # when the visitor skips the location with a half-filled district
    response = _post(client, {"district": "410105", "step": ["location"], "skip": "location"})
    # then the next step is another question, and the district is not carried as an answer
    assert response.status_code == 200
    assert "location" not in _step(response)
    assert "district" not in dict(response.context["carried"])
    assert "location" in response.context["skipped"]
    assert response.context["position"].decided < 6


def test_an_answer_that_excludes_policies_moves_the_running_count(client, city):
    response = _post(client, {"district": "410105", "registered_capital": "50", "step": ["location"]})
    html = response.content.decode()
    assert "已可确定" in html and "可能符合" in html
    assert response.context["position"].decided >= 2


def test_industry_by_gbt4754_name_exact_unique_prefix_and_characters_in_order():
    assert industry_resolve("软件和信息技术服务业") == "I65"
    assert industry_resolve("软件和信息技术服务") == "I65"  # without the final 业
    assert industry_resolve("计算机") == "C39"  # a unique prefix
    assert industry_resolve("计算机制造") == "C39"  # 计算机、通信和其他电子设备制造业
    assert industry_resolve("C3411") == industry_resolve("c3411") == "C3411"
    with pytest.raises(ValidationError) as ambiguous:
        industry_resolve("制造")
    assert "C39" not in ambiguous.value.messages[0] or "；" in ambiguous.value.messages[0]
    assert "对应多个行业" in ambiguous.value.messages[0] and "C14 食品制造业" in ambiguous.value.messages[0]
    with pytest.raises(ValidationError, match="没有找到"):
        industry_resolve("宇宙飞船修理")


def test_the_calculator_accepts_an_industry_by_name_and_refuses_an_ambiguous_one(client, city):
    # given the industry question (it is asked once the location is answered)
    accepted = _post(
        client, {"district": "410105", "industry": "计算机制造", "step": ["location", "industry"]}
    )
    assert accepted.status_code == 200
    assert dict(accepted.context["carried"])["industry"] == "C39"
    refused = _post(client, {"district": "410105", "industry": "制造", "step": ["industry"]})
    assert refused.status_code == 200
    assert "industry" in refused.context["form"].errors
    assert "industry" in _step(refused)  # the same question again, with the refusal on it
    assert "对应多个行业" in refused.content.decode()


def test_each_qualification_is_its_own_fieldset_with_its_dates_and_first_time(
    client, city, django_capture_on_commit_callbacks
):
    # given a policy for enterprises first recognised as 高新技术企业 (its date and 首次 asked)
    from policies.services import policy_create, policy_publish

    with django_capture_on_commit_callbacks(execute=True):
        data = {"title": "首次认定高新技术企业奖励", "department": city.department, "award": {"amount": "200000"},
                "criteria": {"field": "tags", "op": "has", "value": "高新技术企业", "first_time": True}}  # fmt: skip
        policy_publish(policy=policy_create(actor=None, data=data), actor=None)
    # when everything but the qualification is answered
    asked = ["location", "registered_capital", "industry", "ind:revenue"]
    response = _post(client, {"district": "410105", "registered_capital": "500", "asked": asked})
    # then the next step asks about 高新技术企业 in a fieldset of its own, its 认定日期 and
    # 首次认定 inside it
    assert _step(response)[0] == "tag:高新技术企业"
    html = response.content.decode()
    fieldset = re.search(r'<fieldset class="question">.*?</fieldset>', html, re.S).group(0)
    assert "<legend>高新技术企业</legend>" in fieldset
    assert "已获得此项资质" in fieldset and "认定日期" in fieldset and "首次认定" in fieldset
    assert html.count("<legend>") == 1


def test_the_results_are_kept_under_an_unguessable_link_and_recomputed_when_reopened(client, city):
    # when the visitor asks for the results
    response = _post(
        client,
        {"district": "410105", "registered_capital": "500", "industry": "I6513", "results": "1"},
    )
    # then they are kept under a token, and the link carries nothing of what was stated
    assert response.status_code == 302
    link = response["Location"]
    kept = CalculatorAnswers.objects.get()
    assert link == reverse("web:calculator_result", args=[kept.token])
    assert len(kept.token) >= 22 and "410105" not in link and "500" not in link
    assert kept.profile["district"] == "410105"
    first = client.get(link)
    titles = {r.policy.title for r in first.context["results"]["eligible"]}
    assert "郑州市企业研发费用后补助" in titles
    # and a fresh visitor opening the link sees the same results
    from django.test import Client

    again = Client().get(link)
    assert {r.policy.title for r in again.context["results"]["eligible"]} == titles
    assert again.context["results"]["total"] == first.context["results"]["total"]
    # and reopened after the R&D subsidy's window closed, the results follow today's policies
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Policy.objects.filter(pk=city.policies["rd"].pk).update(apply_end=yesterday, updated_at=timezone.now())
    later = client.get(link)
    row = next(
        r for r in later.context["results"]["eligible"] if r.policy.title == "郑州市企业研发费用后补助"
    )
    assert row.closed and "已截止申报" in later.content.decode()
    # an unknown token is a 404
    assert client.get(reverse("web:calculator_result", args=["no-such-token"])).status_code == 404


def test_each_result_says_the_next_step_materials_application_and_deadline(client, city):
    link = _post(client, {"district": "410105", "registered_capital": "500", "results": "1"})["Location"]
    html = client.get(link).content.decode()
    rd = html.split(f'data-policy="{city.policies["rd"].pk}"')[1].split("data-policy=")[0]
    assert "研发费用专项审计报告" in rd  # its 申报材料
    assert reverse("applications:apply", args=[city.policies["rd"].pk]) in rd and "登录申报" in rd
    assert "截止" in rd
    printed = client.get(link + "print/")
    assert printed.status_code == 200
    assert "研发费用专项审计报告" in printed.content.decode()


def test_the_print_view_and_results_use_the_one_money_format(client, city):
    link = _post(client, {"district": "410105", "registered_capital": "500", "results": "1"})["Location"]
    html = client.get(link).content.decode()
    assert "万元" in html and "确定可享合计" in html and "最高可申合计" in html


def test_with_htmx_the_results_open_as_a_whole_page(client, city):
    # htmx follows a 302 inside its request; the screener answers with HX-Redirect instead
    response = client.post(URL, {"district": "410105", "results": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse(
        "web:calculator_result", args=[CalculatorAnswers.objects.get().token]
    )


def test_the_screener_speaks_english(client, city):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(URL).content.decode()
    assert "Where the enterprise is" in html and "skip this question" in html
    refused = _post(client, {"district": "410105", "industry": "制造", "step": ["industry"]}).content.decode()
    assert "matches several industries" in refused
