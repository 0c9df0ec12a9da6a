"""Home, policy list, policy page, calculator and error pages (no login needed)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_home_shows_search_figures_newest_and_closing_soon(client, city):
    # when
    response = client.get(reverse("web:home"))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="search"' in html and 'name="q"' in html
    assert "已发布政策" in html and ">6<" in html  # six published policies
    assert reverse("web:calculator") in html
    closing = html.split('id="closing-title"')[1]
    assert "郑州市企业研发费用后补助" in closing  # closes in 12 days
    assert "大型企业总部落户奖励" not in closing  # no deadline


def test_home_figures_count_enterprises_reached_and_amounts(client, city):
    from portal.web.selectors import portal_figures

    figures = portal_figures()
    assert figures["policies"] == 6
    assert figures["reached"] == 2
    assert figures["amount"] > 0


def test_draft_policies_are_not_listed_or_shown(client, city):
    from policies.services import policy_create

    draft = policy_create(actor=None, data={"title": "尚未发布的研发政策", "department": city.department})
    assert "尚未发布的研发政策" not in client.get(reverse("web:policy_list")).content.decode()
    assert client.get(reverse("web:policy_detail", args=[draft.pk])).status_code == 404


def test_search_by_two_chinese_characters_finds_and_highlights(client, city):
    response = client.get(reverse("web:policy_list"), {"q": "研发"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<mark>研发</mark>" in html
    assert "郑州市企业研发费用后补助" in html.replace("<mark>", "").replace("</mark>", "")
    assert "制造业设备更新贴息" not in html


def test_facets_filter_and_show_counts(client, city):
    response = client.get(reverse("web:policy_list"), {"benefit_type": "finance"})
    html = response.content.decode()
    assert "制造业设备更新贴息" in html
    assert "郑州市企业研发费用后补助" not in html
    assert 'id="fc-benefit_type-finance">(1)' in html


def test_open_now_and_auto_grant_filters(client, city):
    html = client.get(reverse("web:policy_list"), {"auto_grant": "on"}).content.decode()
    assert "共 <strong>0</strong> 条政策" in html


def test_pagination_keeps_filters_in_the_url(client, city):
    from policies.services import policy_create, policy_publish

    for i in range(25):
        p = policy_create(
            actor=None,
            data={"title": f"融资担保补贴{i}", "department": city.department, "benefit_type": "finance"},
        )
        policy_publish(policy=p, actor=None)
    html = client.get(
        reverse("web:policy_list"), {"benefit_type": "finance", "order": "newest"}
    ).content.decode()
    assert 'href="?benefit_type=finance&amp;order=newest&amp;page=2"' in html
    page2 = client.get(reverse("web:policy_list"), {"benefit_type": "finance", "order": "newest", "page": 2})
    assert page2.status_code == 200
    assert page2.content.decode().count('class="result"') == 6  # 26 finance policies, 20 on page 1


def test_htmx_facet_request_returns_only_the_results(client, city):
    response = client.get(reverse("web:policy_list"), {"q": "奖励"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert 'hx-swap-oob="true"' in html
    assert "高新技术企业认定<mark>奖励</mark>" in html


def test_policy_list_query_count_does_not_grow_with_results(client, city, django_assert_max_num_queries):
    from policies.services import policy_create, policy_publish

    for i in range(20):
        p = policy_create(
            actor=None,
            data={
                "title": f"研发奖励{i}",
                "department": city.department,
                "interpretations": [{"title": "解读", "body": "研发"}],
            },
        )
        policy_publish(policy=p, actor=None)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("web:policy_list"), {"q": "研发"})
    assert response.status_code == 200


def test_policy_page_shows_rendered_criteria_window_contact_and_materials(client, city):
    policy = city.policies["rd"]
    html = client.get(reverse("web:policy_detail", args=[policy.pk])).content.decode()
    assert "申报条件" in html
    assert "注册资本" in html and "郑州市" in html  # criteria rendered in plain Chinese
    assert "研发费用专项审计报告" in html
    assert "研发费用怎么算？" in html
    assert "市民服务中心科技窗口" in html and "0371-67180000" in html
    assert 'class="countdown"' in html and ">12<" in html
    assert "登录企业账号" in html  # anonymous: no verdict, an invitation to log in


def test_policy_page_shows_the_logged_in_enterprise_its_verdict(client_jia, city):
    html = client_jia.get(reverse("web:policy_detail", args=[city.policies["capital"].pk])).content.decode()
    assert "郑州甲数据科技有限公司 的匹配结果" in html
    assert "暂不符合申报条件" in html
    assert 'class="not_met"' in html and 'class="met"' in html
    html = client_jia.get(reverse("web:policy_detail", args=[city.policies["rd"].pk])).content.decode()
    assert "符合申报条件" in html and "20万元" in html


def test_calculator_form_asks_only_for_the_fields_policies_use(client, city):
    # the screener asks them a step at a time; its form holds every question it may ask
    form = client.get(reverse("web:calculator")).context["form"]
    names = " ".join(form.fields)
    for name in ("district", "industry", "registered_capital", "ind_rd_expense_", "ind_revenue_"):
        assert name in names
    assert "established_on" not in form.fields  # no published policy asks about age
    assert "高新技术企业" in {tag for _name, tag in form.tag_fields}


def test_calculator_returns_eligible_policies_with_amounts_for_a_qualifying_profile(client, city):
    year = timezone.localdate().year - 1
    form = client.get(reverse("web:calculator")).context["form"]
    tag_field = next(name for name, tag in form.tag_fields if tag == "高新技术企业")
    response = client.post(
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
    html = response.content.decode()
    assert response.status_code == 200
    results = response.context["results"]
    eligible = {r.policy.title: r.amount for r in results["eligible"]}
    assert eligible["郑州市企业研发费用后补助"] == 300000  # 10% of 3,000,000
    assert eligible["高新技术企业认定奖励"] == 300000
    assert "规模以上企业营收增长奖励" in {r.policy.title for r in results["possible"]}
    assert "大型企业总部落户奖励" in {r.policy.title for r in results["near"]}
    assert results["total"] == 600000  # 300,000 + 300,000; the 100,000 of the same exclusive group not added
    assert "测算结果" in html


def test_calculator_reports_a_bad_industry_code_on_its_field(client, city):
    response = client.post(reverse("web:calculator"), {"industry": "Z99", "results": "1"})
    assert response.status_code == 200
    assert response.context.get("results") is None
    assert "industry" in response.context["form"].errors
    assert "国民经济行业分类中没有门类 Z" in response.content.decode()


def test_calculator_form_has_csrf_token(client, city):
    assert "csrfmiddlewaretoken" in client.get(reverse("web:calculator")).content.decode()


def test_not_found_page_is_in_the_portal_style(client, city, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and "portal.css" in html


def test_english_is_available_through_set_language(client, city):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert response.status_code == 200
    assert 'lang="en"' in response.content.decode()


def test_today_helper_agrees_with_shanghai(city):
    from portal.web.templatetags.web_tags import days_left

    assert days_left(timezone.localdate() + datetime.timedelta(days=3)) == 3


def test_server_error_page_renders_without_the_database_or_a_request():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "服务暂时不可用" in html and "12345" in html
