from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from applications import services
from applications.models import Application, ApplicationEvent, Grant, GrantStatus
from applications.prefill import application_prefill
from applications.selectors import application_clock, department_figures, review_queue
from inbox.models import Message
from tests.factories.policies import MaterialFactory

from .conftest import at, pdf

pytestmark = pytest.mark.django_db


def submit(policy, enterprise_user, audit_material, *, now, declared=None):
    return services.application_submit(
        policy=policy,
        enterprise=enterprise_user.enterprise,
        applicant=enterprise_user,
        declared=declared
        or {"rd_expense": "2500000", "contact_name": "李经理", "contact_phone": "13812345678"},
        files=[(audit_material.pk, pdf("审计报告.pdf"))],
        now=now,
    )


def test_form_is_prefilled_from_registry_and_asks_only_for_what_is_missing(policy, enterprise):
    # given an enterprise whose revenue is in the registry but whose R&D expense is not
    # when the form for a policy asking about both is prepared
    prefill = application_prefill(policy=policy, enterprise=enterprise)
    # then revenue and the core fields are filled in, and only R&D expense is asked for
    known = {f.field: f for f in prefill.known}
    assert known["revenue"].value == Decimal("30000000")
    assert known["revenue"].period == "2024"
    assert known["credit_code"].value == enterprise.credit_code
    assert [f.field for f in prefill.missing] == ["rd_expense"]
    assert prefill.contact_phone == "13812345678"


def test_submit_skips_shared_data_materials_and_requires_the_others(policy, enterprise_user, audit_material):
    # given a policy with one 免证明 material and one that must be uploaded
    # when the enterprise submits without the upload
    with pytest.raises(ValidationError) as err:
        services.application_submit(
            policy=policy,
            enterprise=enterprise_user.enterprise,
            applicant=enterprise_user,
            declared={"rd_expense": "2500000", "contact_name": "李", "contact_phone": "138"},
            files=[],
            now=at(2025, 9, 26),
        )
    # then it is refused naming only the uploaded material, and nothing is written
    assert err.value.message_dict["materials"] == ["缺少必需材料：研发费用专项审计报告"]
    assert not Application.objects.exists()


def test_submit_refuses_a_missing_or_non_numeric_declared_value(policy, enterprise_user, audit_material):
    # when the enterprise leaves out what the registry lacks, or types text for a number
    with pytest.raises(ValidationError) as err:
        submit(
            policy,
            enterprise_user,
            audit_material,
            now=at(2025, 9, 26),
            declared={"rd_expense": "很多", "contact_name": "李", "contact_phone": "138"},
        )
    # then the field is named and nothing is written
    assert (
        err.value.message_dict["declared__rd_expense"] == ["“研发费用”应为数字"]
        or "declared__rd_expense" in err.value.message_dict
    )
    assert not Application.objects.exists()


def test_return_for_correction_pauses_the_clock_and_approval_across_national_day_is_within_the_limit(
    policy, enterprise_user, official, audit_material
):
    # given an application submitted on Friday 2025-09-26 with a 5-working-day limit
    application = submit(policy, enterprise_user, audit_material, now=at(2025, 9, 26))
    # the 5th working day: Sun 28 (调休 working day), 29, 30, Thu 9 Oct, Fri 10 Oct (1–8 Oct holiday)
    assert application.due_on == date(2025, 10, 10)

    # when the department accepts it on the Sunday working day and returns it on Monday
    services.application_accept(application=application, actor=official, now=at(2025, 9, 28))
    application = services.application_return(
        application=application, actor=official, reasons="审计报告缺少盖章页", now=at(2025, 9, 29)
    )
    # then two working days are used and the clock stops
    assert application.status == "returned"
    assert application.days_used_before == 2
    assert application.due_on is None
    assert application_clock(application, today=date(2025, 10, 9)).days_left == 3

    # when the enterprise corrects after the holiday and resubmits on Thursday 2025-10-09
    application = services.application_resubmit(
        application=application,
        actor=enterprise_user,
        declared={},
        files=[(audit_material.pk, pdf("审计报告-盖章.pdf"))],
        comment="已补盖章页",
        now=at(2025, 10, 9),
    )
    # then three working days remain: Fri 10, Sat 11 (调休 working day), Mon 13
    assert application.due_on == date(2025, 10, 13)

    # when it is approved on Monday 2025-10-13 with an amount
    application = services.application_approve(
        application=application, actor=official, amount=Decimal("250000"), now=at(2025, 10, 13, 16)
    )
    # then it was decided on the 5th working day: within the limit
    assert application.status == "approved"
    assert application.working_days_taken == 5 <= application.processing_days
    # every step is in the log with who did it
    events = list(
        ApplicationEvent.objects.filter(application=application).values_list("action", "actor__username")
    )
    assert events == [
        ("submitted", "zhizao"),
        ("accepted", "gxj-official"),
        ("returned", "gxj-official"),
        ("resubmitted", "zhizao"),
        ("approved", "gxj-official"),
    ]
    # the enterprise was pushed at each step, and the grant awaits its account confirmation
    titles = list(
        Message.objects.filter(enterprise=enterprise_user.enterprise).values_list("title", flat=True)
    )
    assert any(t.startswith("申报需补正") for t in titles)
    assert any(t.startswith("申报已通过") for t in titles)
    assert any(t.startswith("请确认收款账户") for t in titles)
    grant = Grant.objects.get(application=application)
    assert (grant.amount, grant.status, grant.source) == (
        Decimal("250000.00"),
        GrantStatus.AWAITING_ACCOUNT,
        "application",
    )
    assert application.files.count() == 2


def test_the_event_log_is_append_only(policy, enterprise_user, audit_material):
    application = submit(policy, enterprise_user, audit_material, now=at(2025, 9, 26))
    event = application.events.get()
    event.comment = "篡改"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_reject_and_return_need_reasons_and_change_nothing_without(
    policy, enterprise_user, official, audit_material
):
    application = submit(policy, enterprise_user, audit_material, now=at(2025, 9, 26))
    for action in (services.application_reject, services.application_return):
        with pytest.raises(ValidationError) as err:
            action(application=application, actor=official, reasons="  ")
        assert "reasons" in err.value.message_dict
    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.events.count() == 1


def test_only_the_policy_departments_officials_may_review(
    policy, enterprise_user, other_official, audit_material
):
    application = submit(policy, enterprise_user, audit_material, now=at(2025, 9, 26))
    with pytest.raises(PermissionDenied):
        services.application_approve(application=application, actor=other_official, amount=Decimal("1"))
    with pytest.raises(PermissionDenied):
        services.application_accept(application=application, actor=enterprise_user)


def test_a_second_live_application_for_the_same_policy_is_refused(policy, enterprise_user, audit_material):
    submit(policy, enterprise_user, audit_material, now=at(2025, 9, 26))
    with pytest.raises(ValidationError) as err:
        submit(policy, enterprise_user, audit_material, now=at(2025, 9, 27))
    assert "请勿重复提交" in err.value.message_dict["policy"][0]
    assert Application.objects.count() == 1


def test_auto_grant_policies_take_no_application(policy, enterprise_user, audit_material):
    policy.auto_grant = True
    policy.save()
    with pytest.raises(ValidationError) as err:
        submit(policy, enterprise_user, audit_material, now=at(2025, 9, 26))
    assert "免申即享" in err.value.message_dict["policy"][0]


def test_overdue_applications_are_flagged_and_escalated_once_to_the_department_head(
    policy, enterprise_user, official, department, audit_material, django_user_model
):
    from applications.models import DepartmentHead

    head = django_user_model.objects.create_user(
        "gxj-head", email="head@example.com", password="x-Demo-2026-zz"
    )
    DepartmentHead.objects.create(department=department, user=head)
    application = submit(policy, enterprise_user, audit_material, now=at(2025, 9, 26))  # due 2025-10-10
    # when the daily run looks on the due date, nothing is overdue
    assert services.applications_escalate_overdue(now=at(2025, 10, 10, 9)) == 0
    queue = review_queue(user=official, today=date(2025, 10, 14))
    # then on Tue 14 Oct it is 3 working days overdue (Sat 11 Oct was a 调休 working day, 13, 14)
    assert [(a.pk, c.days_left, c.overdue) for a, c in queue] == [(application.pk, -3, True)]
    # and the run escalates it once, to the head, with a message and an event
    assert services.applications_escalate_overdue(now=at(2025, 10, 14, 9)) == 1
    assert services.applications_escalate_overdue(now=at(2025, 10, 15, 9)) == 0
    assert Message.objects.filter(user=head, title__contains=application.reference).count() == 1
    assert application.events.filter(action="escalated").count() == 1
    figures = department_figures(user=official, today=date(2025, 10, 14))
    assert figures[0]["received"] == 1 and figures[0]["overdue"] == 1


def test_department_figures_count_decisions_and_median_working_days(
    policy, enterprise_user, other_enterprise_user, official, audit_material
):
    a1 = submit(policy, enterprise_user, audit_material, now=at(2025, 9, 26))
    services.application_approve(application=a1, actor=official, amount=Decimal("10"), now=at(2025, 9, 30))
    MaterialFactory(policy=policy, name="其他", from_shared_data=True)
    a2 = submit(
        policy,
        other_enterprise_user,
        audit_material,
        now=at(2025, 9, 26),
        declared={
            "revenue": "20000000",
            "rd_expense": "1",
            "contact_name": "赵",
            "contact_phone": "13900000000",
        },
    )
    services.application_reject(application=a2, actor=official, reasons="不符合条件", now=at(2025, 10, 10))
    [row] = department_figures(user=official, today=date(2025, 10, 20))
    assert (row["received"], row["approved"], row["rejected"], row["overdue"]) == (2, 1, 1, 0)
    # 3 working days (28, 29, 30 Sep) and 5 (… 9, 10 Oct): median 4
    assert row["median_days"] == 4


@pytest.mark.postgres
def test_the_database_itself_refuses_to_change_or_delete_a_log_row(policy, enterprise_user, audit_material):
    from django.db import DatabaseError, connection, transaction

    application = submit(policy, enterprise_user, audit_material, now=at(2025, 9, 26))
    event = application.events.get()
    for sql in (
        "UPDATE applications_applicationevent SET comment = 'x' WHERE id = %s",
        "DELETE FROM applications_applicationevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert ApplicationEvent.objects.filter(pk=event.pk, comment="").exists()
