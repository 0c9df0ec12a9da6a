"""Every link the portal sends resolves: match pushes (e-mail, SMS, digests, webhook payloads),
application and grant messages (in-app, SMS, the overdue e-mail to the department head), and
appeal and arrears messages. Each message is produced by the real services; each link in it
must be built on SITE_URL, resolve to a view, and answer 200 to the user it was sent to."""

from __future__ import annotations

import contextlib
import datetime
import json
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import Resolver404, resolve
from django.utils import timezone

from portal.links import absolute_url

from .conftest import URL, city_build, policy_data, policy_publish_as_officials

pytestmark = pytest.mark.django_db

SITE = "https://zc.example.gov.cn"


@contextlib.contextmanager
def deliveries_held(monkeypatch):
    """Hold the planning of e-mail/SMS deliveries while policies are published, then plan them
    all at once (so that an enterprise that wants a digest gets one, as it would when several
    policies match between two planning runs)."""
    from matching import tasks

    with monkeypatch.context() as m:
        m.setattr(tasks.deliveries_plan, "apply_async", lambda *a, **k: None)
        yield
    tasks.deliveries_plan.apply()


def _urls_in(value) -> list[str]:
    if isinstance(value, dict):
        return [u for v in value.values() for u in _urls_in(v)]
    if isinstance(value, list):
        return [u for v in value for u in _urls_in(v)]
    return URL.findall(value) if isinstance(value, str) else []


def _assert_answers(client, url: str, user, origin: str) -> None:
    assert url.startswith(f"{SITE}/"), f"{origin}: {url} is not built on SITE_URL"
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        match = None
    assert match is not None, f"{origin}: {url} resolves to no page"
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert response.status_code == 200, f"{origin}: GET {url} as {user} answered {response.status_code}"


def test_every_link_the_portal_sends_resolves_and_opens_for_its_reader(
    client, settings, monkeypatch, eager_pipeline, django_capture_on_commit_callbacks, tmp_path
):
    from appeals import services as appeals
    from appeals.models import Category
    from applications import services as applications
    from applications.models import Application, Grant
    from inbox.models import Message
    from matching.channels import sms
    from matching.models import WebhookDelivery
    from matching.services import channel_preferences_set
    from policies.services import policy_update
    from tests.factories.applications import BankAccountFactory

    settings.SITE_URL = SITE
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMS_BACKEND = "matching.channels.sms.LoggingSmsBackend"
    sms.SENT.clear()
    links: list[tuple[str, object, str]] = []  # (url, the user who reads it, where it was written)

    # given two enterprises: 丙 wants e-mail, SMS and webhooks in digests, 丁 e-mail and SMS one by one
    city = city_build()
    channel_preferences_set(
        enterprise_id=city.enterprise.pk,
        email=True,
        email_address="boss@bing.example.com",
        sms=True,
        sms_phone="13811112222",
        webhook=True,
        digest=True,
    )
    channel_preferences_set(
        enterprise_id=city.other.pk,
        email=True,
        email_address="boss@ding.example.com",
        sms=True,
        sms_phone="13933334444",
        digest=False,
    )
    from matching.webhooks import webhook_subscription_create

    settings.WEBHOOK_ALLOW_PRIVATE = True  # the receivers are on this machine
    webhook_subscription_create(
        owner=None, url="http://127.0.0.1:9/bing", events=["match.created"], enterprise=city.enterprise
    )
    webhook_subscription_create(owner=None, url="http://127.0.0.1:9/platform", events=["policy.published"])

    # when two policies are published by the department's officials (matched, pushed)
    with deliveries_held(monkeypatch), django_capture_on_commit_callbacks(execute=True):
        city.policies = [
            policy_publish_as_officials(city, policy_data(city, title="智能制造设备补贴")),
            policy_publish_as_officials(city, policy_data(city, title="首台套装备奖励", amount="500000")),
        ]
    # and both are revised so that neither enterprise qualifies any more ("lost" pushes)
    with deliveries_held(monkeypatch), django_capture_on_commit_callbacks(execute=True):
        for policy in city.policies:
            data = policy_data(city, title=policy.title, min_capital=50_000_000)
            policy_update(policy=policy, actor=city.reviewer, data={"criteria": data["criteria"]})
    subjects = [m.subject for m in mail.outbox]
    assert "您有 2 项新匹配政策" in subjects and "2 项政策匹配变化" in subjects  # 丙's two digests
    assert sum("智能制造设备补贴" in s for s in subjects) == 2  # 丁: gained and lost, one by one
    assert len(sms.SENT) >= 4

    # when 丙 applies to the first policy, is returned for correction, approved and paid
    today = timezone.localdate()
    BankAccountFactory(enterprise=city.enterprise)
    policy = city.policies[0]
    with django_capture_on_commit_callbacks(execute=True):
        application = applications.application_submit(
            policy=policy,
            enterprise=city.enterprise,
            applicant=city.user,
            declared={"contact_name": "王五", "contact_phone": "13811112222"},
            files=[],
        )
        applications.application_accept(application=application, actor=city.reviewer)
        applications.application_return(application=application, actor=city.reviewer, reasons="请补充联系人")
        applications.application_resubmit(
            application=application, actor=city.user, declared={"contact_name": "王五"}, files=[]
        )
        applications.application_approve(
            application=application, actor=city.reviewer, amount=Decimal("300000")
        )
        grant = Grant.objects.get(application=application)
        applications.grant_account_confirm(grant=grant, actor=city.user)
        (instruction,) = applications.payment_instructions_create(grant_ids=[grant.pk], actor=city.reviewer)
        csv = f"指令编号,结果,到账日期,失败原因,银行流水号\r\n{instruction.reference},成功,{today},,B1\r\n"
        result = applications.payment_results_import(
            content=csv.encode(), filename="r.csv", actor=city.reviewer
        )
        assert result.ok, result.errors
    # and 丁's application to the second policy is overdue (督办 to the department head)
    with django_capture_on_commit_callbacks(execute=True):
        late = applications.application_submit(
            policy=city.policies[1],
            enterprise=city.other,
            applicant=city.other_user,
            declared={"contact_name": "赵六", "contact_phone": "13933334444"},
            files=[],
        )
        Application.objects.filter(pk=late.pk).update(due_on=today - datetime.timedelta(days=10))
        assert applications.applications_escalate_overdue() == 1

    # when 丙 raises a problem that is answered, closed and rated badly, and reports arrears
    case = appeals.case_raise(
        enterprise=city.enterprise,
        raised_by=city.user,
        category=Category.FINANCE,
        title="设备补贴资金未到位",
        description="补贴已公示两个月未拨付",
        department=city.department,
    )
    appeals.case_accept(case=case, actor=city.reviewer)
    appeals.case_answer(case=case, reply="已协调财政局本周拨付", actor=city.reviewer)
    appeals.case_confirm(case=case, resolved=True, actor=city.user)
    appeals.case_close(case=case, actor=city.reviewer)
    appeals.case_rate(case=case, score=1, comment="拖得太久", actor=city.user)
    arrears = appeals.arrears_report(
        enterprise=city.enterprise,
        reported_by=city.user,
        debtor_name="某区住建局",
        debtor_type="government",
        amount="90000",
        due_on=today - datetime.timedelta(days=60),
        department=city.department,
    )
    appeals.arrears_verify(arrears=arrears, actor=city.reviewer)
    appeals.arrears_plan_agree(
        arrears=arrears,
        actor=city.reviewer,
        installments=[(today + datetime.timedelta(days=30), Decimal("90000"))],
    )
    appeals.arrears_repayment_record(arrears=arrears, actor=city.reviewer, amount="90000", paid_on=today)

    # then every e-mail and SMS the portal sent carries links (pushes, digests, unsubscribe, the
    # one-click account confirmation, the overdue notice to the head) ...
    readers = {
        "boss@bing.example.com": city.user,
        "boss@ding.example.com": city.other_user,
        city.enterprise.contact_email: city.user,
        city.head.email: city.head,
        "13811112222": city.user,
        "13933334444": city.other_user,
    }
    for message in mail.outbox:
        reader = readers[message.to[0]]
        links += [(u, reader, f"e-mail «{message.subject}»") for u in _urls_in(message.body)]
        links += [
            (u, reader, f"List-Unsubscribe of «{message.subject}»")
            for u in _urls_in(message.extra_headers.get("List-Unsubscribe", ""))
        ]
    links += [(u, readers[phone], f"SMS «{text[:30]}»") for phone, text in sms.SENT for u in _urls_in(text)]
    # ... so does every webhook payload (to integrators: the policy page is public) ...
    payloads = list(WebhookDelivery.objects.values_list("event", "payload"))
    assert {"match.created", "policy.published"} <= {event for event, _ in payloads}
    links += [(u, None, f"webhook {event}") for event, payload in payloads for u in _urls_in(payload)]
    # ... and every in-app message (to the enterprise or to an official) a page path
    kinds = set()
    for message in Message.objects.all():
        assert message.link.startswith("/"), f"in-app «{message.title}» has no page link: {message.link!r}"
        reader = message.user or (
            city.user if message.enterprise_id == city.enterprise.pk else city.other_user
        )
        kinds.add(message.kind)
        links.append((absolute_url(message.link), reader, f"in-app «{message.title}»"))
    assert {"application", "grant", "case", "case_staff"} <= kinds
    # ... and the API gives each of an enterprise's notifications (pushes and messages) its link
    for user in (city.user, city.other_user):
        client.force_login(user)
        rows = client.get("/api/v1/notifications/", {"page_size": 100}).json()["results"]
        assert rows and all(row["link"] for row in rows)
        links += [(row["link"], user, f"API notification «{row['title']}»") for row in rows]
    # ... and every link, wherever it was written, opens for the one who reads it
    assert len(links) > 25
    for url, reader, origin in links:
        _assert_answers(client, url, reader, origin)
    pages = {resolve(urlsplit(u).path).view_name for u, _, _ in links}
    assert {
        "web:policy_detail",
        "web:my_policies",
        "web:inbox",
        "matching:unsubscribe",
        "applications:detail",
        "applications:grant_confirm",
        "applications:grant_detail",
        "applications:my_grants",
        "applications:review_queue",
        "appeals:detail",
        "appeals:staff_case",
        "appeals:arrears_detail",
    } <= pages, json.dumps(sorted(pages))
