"""Issue 16, details: one money format (万元 shown, the exact figure on hover and in
``<data value>``), 我的申报 / 我的兑现 in the navigation, no internal source names on 我的企业,
xlsx and CSV exports of 我的政策 and of the policy search that parse back, title matches
before body-only mentions in search (PostgreSQL and SQLite), labelled filter selects."""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

MONEY = re.compile(r'<data class="money" value="([0-9.]+)" title="([^"]+)">([^<]+)</data>')


@pytest.fixture
def granted(city, tmp_path, settings):
    """An approved application of 郑州甲 (a grant of 100,000 yuan) and one awaiting review."""
    from applications import services as applications
    from applications.models import Grant
    from tests.factories.policies import OfficialFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    official = OfficialFactory(username="details-official", departments=[city.department])
    application = applications.application_submit(
        policy=city.policies["generic"],
        enterprise=city.enterprise,
        applicant=city.user,
        declared={"contact_name": "李四", "contact_phone": "13812345678"},
        files=[],
    )
    applications.application_approve(application=application, actor=official, amount="100000")
    return {"application": application, "grant": Grant.objects.get(application=application)}


# --- one money format ----------------------------------------------------------------------


def test_money_is_written_one_way_with_the_exact_figure_on_hover(client_jia, city, granted):
    # given 郑州甲 with matches and a grant of 100,000 yuan
    pages = {
        "my_policies": reverse("web:my_policies"),
        "policy": reverse("web:policy_detail", args=[city.policies["hightech"].pk]),
        "grants": reverse("applications:my_grants"),
        "grant": reverse("applications:grant_detail", args=[granted["grant"].pk]),
        "application": reverse("applications:detail", args=[granted["application"].pk]),
        "mine": reverse("applications:mine"),
        "enterprise": reverse("web:my_enterprise"),
    }
    for name, path in pages.items():
        # when the enterprise user opens the page
        html = client_jia.get(path).content.decode()
        found = MONEY.findall(html)
        # then each amount is 万元 with the exact figure in yuan on hover and in the value
        assert found, f"{name}: no amount in the one money format"
        for value, title, shown in found:
            assert title == f"{Decimal(value):,.2f}元", (name, value, title)
            assert shown.endswith(("万元", "亿元", "元")), (name, shown)
        # and no amount is written the old ways (100000.00, "100,000.00 元", "金额(元)")
        assert "100000.00" not in re.sub(r'value="[^"]*"', "", html), name
        assert "(元)" not in html and "元 元" not in html, name
    grants = client_jia.get(pages["grants"]).content.decode()
    assert ('<data class="money" value="100000.00" title="100,000.00元">10万元</data>') in grants


def test_the_application_form_says_each_amount_once(client_jia, city):
    # given 郑州甲's revenue of 68,000,000 yuan in the registry (a money indicator, unit 元)
    from tests.factories.enterprises import IndicatorValueFactory

    IndicatorValueFactory(
        enterprise=city.enterprise, period=str(timezone.localdate().year - 1), value=Decimal("68000000")
    )
    # when it opens the form of a policy whose criteria read the revenue
    html = client_jia.get(reverse("applications:apply", args=[city.policies["revenue"].pk])).content.decode()
    # then the revenue is 6,800万元 with the exact figure on hover, and 元 is not written twice
    assert "元 元" not in html
    assert 'title="68,000,000.00元">6,800万元</data>' in html


# --- navigation and labels -------------------------------------------------------------------


def test_my_applications_and_my_grants_are_in_the_navigation(client_jia):
    html = client_jia.get(reverse("web:my_policies")).content.decode()
    nav = html.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{reverse("applications:mine")}"' in nav and "我的申报" in nav
    assert f'href="{reverse("applications:my_grants")}"' in nav and "我的兑现" in nav
    # and the page one is on is marked
    nav = client_jia.get(reverse("applications:my_grants")).content.decode().split('class="main-nav"', 1)[1]
    assert re.search(r'href="/applications/grants/mine/" aria-current="page"', nav)


def test_a_visitor_sees_the_public_navigation_and_a_way_to_sign_in(client, city):
    html = client.get(reverse("web:policy_list")).content.decode()
    nav = html.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    assert "政策库" in nav and "政策日历" in nav
    # an enterprise's own pages only once signed in (each led a visitor to the login page)
    assert "我的政策" not in nav and "我的申报" not in nav and "我的兑现" not in nav
    assert reverse("accounts:login") in html.split('class="main-nav"', 1)[0]


def test_my_enterprise_shows_no_internal_source_names(client_jia, city):
    # given a tag from the demo loader, a derived (画像) tag and indicator values from the API
    from enterprises.models import EnterpriseTag, IndicatorDefinition, IndicatorValue, TagDefinition

    demo_tag = TagDefinition.objects.get_or_create(name="专精特新中小企业")[0]
    EnterpriseTag.objects.create(enterprise=city.enterprise, tag=demo_tag, source="demo-policies")
    derived = TagDefinition.objects.get_or_create(name="成立3至10年", defaults={"derived": True})[0]
    EnterpriseTag.objects.update_or_create(
        enterprise=city.enterprise, tag=derived, defaults={"source": "画像"}
    )
    IndicatorValue.objects.filter(enterprise=city.enterprise).update(source="api:tax-bureau")
    tax = IndicatorDefinition.objects.get(code="tax_paid")
    IndicatorValue.objects.create(
        enterprise=city.enterprise, indicator=tax, period="2024", period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 12, 31), value=Decimal("1"), source="demo-policies",
    )  # fmt: skip
    # when the enterprise user opens 我的企业
    html = client_jia.get(reverse("web:my_enterprise")).content.decode()
    main = html.split('<main id="main"', 1)[1]
    # then the sources are named for people
    for internal in ("demo-policies", "画像", "api:tax-bureau", ">test<"):
        assert internal not in main, internal
    assert "演示数据" in main and "平台根据登记信息测算" in main and "部门数据共享接口" in main


def test_the_source_names_have_english_labels(client_jia, city, settings):
    from enterprises.models import EnterpriseTag, TagDefinition

    tag = TagDefinition.objects.get_or_create(name="成立3至10年", defaults={"derived": True})[0]
    EnterpriseTag.objects.update_or_create(enterprise=city.enterprise, tag=tag, defaults={"source": "画像"})
    client_jia.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client_jia.get(reverse("web:my_enterprise"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Computed by the portal from the registry" in html


# --- exports ----------------------------------------------------------------------------------


def _today() -> str:
    return timezone.localdate().isoformat()


def test_my_policies_export_as_xlsx_parses_back_with_the_exact_amounts(client_jia, city):
    from openpyxl import load_workbook

    # when 郑州甲 downloads 我的政策 as a workbook
    response = client_jia.get(reverse("web:my_policies_export", args=["xlsx"]))
    # then it is an attachment named with the date
    assert response.status_code == 200
    assert f'filename="my-policies-{_today()}.xlsx"' in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:6] == ("政策名称", "匹配结果", "金额（元）", "金额性质", "计入确定可享", "申报截止")
    by_title = {r[0]: r for r in rows[1:]}
    # and holds each of its matches with the verdict, the exact amount and the deadline
    page = client_jia.get(reverse("web:my_policies")).context
    assert set(by_title) == {i.policy.title for i in page["eligible"] + page["possible"]}
    hightech = by_title["高新技术企业认定奖励"]
    assert hightech[1] == "符合条件"
    assert Decimal(str(hightech[2])) == Decimal("300000")
    assert ws.cell(row=2, column=3).number_format == "#,##0.00"
    assert hightech[5] == city.policies["hightech"].apply_end.isoformat()
    assert hightech[9].endswith(f"/policy/{city.policies['hightech'].pk}/")


def test_my_policies_export_as_csv_has_a_bom_for_excel(client_jia, city):
    response = client_jia.get(reverse("web:my_policies_export", args=["csv"]))
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="my-policies-{_today()}.csv"' in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "政策名称"
    hightech = next(r for r in rows if r[0] == "高新技术企业认定奖励")
    assert hightech[2] == "300000.00"  # the exact figure, never 30万元


def test_my_policies_export_needs_an_enterprise_user_and_a_known_format(client, client_jia, city):
    assert client_jia.get(reverse("web:my_policies_export", args=["pdf"])).status_code == 400
    client.logout()
    response = client.get(reverse("web:my_policies_export", args=["xlsx"]))
    assert response.status_code in (302, 403)


def test_search_export_keeps_the_filters_of_the_list(client, city):
    from openpyxl import load_workbook

    # when a visitor exports the list filtered to 金融支持 (finance)
    url = reverse("web:policy_list_export", args=["xlsx"]) + "?benefit_type=finance"
    response = client.get(url)
    assert f'filename="policies-{_today()}.xlsx"' in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    # then only the finance policy is there, with Chinese headers
    assert rows[0][0] == "政策名称" and rows[0][2] == "发文部门"
    assert [r[0] for r in rows[1:]] == ["制造业设备更新贴息"]
    # and the CSV of a keyword search has the list's rows in the list's order
    csv_response = client.get(reverse("web:policy_list_export", args=["csv"]) + "?q=奖励")
    assert csv_response.content.startswith(b"\xef\xbb\xbf")
    titles = [r[0] for r in csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig")))][1:]
    listed = [p.title for p, _ in client.get(reverse("web:policy_list") + "?q=奖励").context["rows"]]
    assert titles == listed and titles


def test_search_export_refuses_a_bad_filter_by_name(client, city):
    response = client.get(reverse("web:policy_list_export", args=["csv"]) + "?level=galactic")
    assert response.status_code == 400
    assert "层级" in response.content.decode()


def test_the_list_and_my_policies_link_to_their_exports(client_jia, city):
    html = client_jia.get(reverse("web:policy_list") + "?q=奖励&open=on").content.decode()
    assert reverse("web:policy_list_export", args=["xlsx"]) + "?q=" in html
    assert "open=on" in html.split('id="search-export"', 1)[1].split("</p>", 1)[0]
    assert (
        reverse("web:my_policies_export", args=["csv"])
        in client_jia.get(reverse("web:my_policies")).content.decode()
    )


# --- search -------------------------------------------------------------------------------------


def test_a_title_match_ranks_above_newer_body_only_mentions(db, django_capture_on_commit_callbacks):
    from policies.services import policy_create, policy_publish
    from tests.factories.policies import DepartmentFactory

    # given a policy with 智能工厂 in its title, then newer ones that only mention it in the
    # summary (many times) or the body
    department = DepartmentFactory(code="zz-gxj", name="郑州市工业和信息化局")
    specs = [
        ("智能工厂建设奖励", "对新建项目给予奖励。", "第一条 支持企业建设。"),
        ("制造业高质量发展若干措施", "智能工厂、智能工厂、智能工厂示范，智能工厂改造。", "第一条 略。"),
        ("工业企业技术改造补助", "技术改造补助。", "第一条 含智能工厂、数字化车间等项目。"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for title, summary, body in specs:
            policy = policy_create(
                actor=None,
                data={"title": title, "summary": summary, "body": body, "department": department, "benefit_type": "subsidy"},
            )  # fmt: skip
            policy_publish(policy=policy, actor=None)
    from policies.selectors import policy_search

    # when someone searches for it (relevance)
    found = [p.title for p in policy_search(q="智能工厂", order="relevance")]
    # then the title match comes first, on this database whichever it is
    assert set(found) == {s[0] for s in specs}
    assert found[0] == "智能工厂建设奖励"


def test_the_filter_selects_are_labelled(client, city):
    html = client.get(reverse("web:policy_list")).content.decode()
    for name, label in (("industry", "f-industry"), ("district", "f-district")):
        assert f'<label for="{label}">' in html
        assert re.search(rf'<select name="{name}" id="{label}"|<select id="{label}" name="{name}"', html), (
            name
        )


def test_messages_about_money_say_it_the_same_way(city, granted):
    # given an approved application of 100,000 yuan (the granted fixture)
    from inbox.models import Message

    bodies = " ".join(Message.objects.filter(enterprise=city.enterprise).values_list("body", flat=True))
    # then the in-app messages say 10万元 with the exact figure beside it (no hover in a message)
    assert "10万元（100,000.00元）" in bodies
    assert "100000.00" not in bodies
