"""暂存: an enterprise saves an unfinished application, comes back to it from 我的申报 and submits
later; a draft is seen by no reviewer, figure, escalation or API list, and submitting checks
everything again (the policy's window on the day of submission included)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, ApplicationDraft
from applications.selectors import department_figures, review_queue
from applications.services import applications_escalate_overdue, drafts
from tests.factories.accounts import EnterpriseUserFactory

from .conftest import pdf

pytestmark = pytest.mark.django_db


def save(policy, user, **declared):
    return drafts.draft_save(
        policy=policy, enterprise=user.enterprise, user=user, declared={"contact_name": "李经理", **declared}
    )


def test_a_draft_keeps_what_was_typed_and_needs_nothing_yet(policy, enterprise_user):
    draft = save(policy, enterprise_user, rd_expense="")
    assert draft.declared == {"contact_name": "李经理", "rd_expense": ""}
    again = save(policy, enterprise_user, rd_expense="2500000")
    assert again.pk == draft.pk and ApplicationDraft.objects.count() == 1
    assert not Application.objects.exists()


def test_a_draft_refuses_a_non_numeric_amount_or_another_enterprise(
    policy, enterprise_user, other_enterprise_user
):
    with pytest.raises(ValidationError) as exc:
        drafts.draft_save(
            policy=policy,
            enterprise=enterprise_user.enterprise,
            user=enterprise_user,
            declared={},
            amount_requested="很多",
        )
    assert "amount_requested" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        drafts.draft_save(
            policy=policy, enterprise=enterprise_user.enterprise, user=other_enterprise_user, declared={}
        )
    assert not ApplicationDraft.objects.exists()


def test_drafts_are_seen_by_no_reviewer_figure_escalation_or_api(
    client, policy, enterprise_user, official, other_enterprise_user
):
    save(policy, enterprise_user, rd_expense="2500000")
    assert list(review_queue(user=official)) == []
    assert all(row.get("received", 0) == 0 for row in department_figures(user=official))
    assert applications_escalate_overdue(now=timezone.now() + dt.timedelta(days=365)) == 0
    # the API has no applications list; its grants list (approved applications) has nothing
    client.force_login(enterprise_user)
    listing = client.get(f"/api/v1/enterprises/{enterprise_user.enterprise.credit_code}/grants/")
    assert listing.status_code == 200 and listing.json()["count"] == 0
    client.force_login(other_enterprise_user)
    assert client.get(reverse("applications:mine")).content.decode().count("研发费用后补助") == 0


def test_save_resume_and_submit_through_the_pages(client, policy, enterprise_user, audit_material):
    client.force_login(enterprise_user)
    url = reverse("applications:apply", args=[policy.pk])
    response = client.post(
        url,
        {"action": "draft", "declared__rd_expense": "2500000", "contact_name": "李经理", "contact_phone": ""},
    )
    assert response.status_code == 302
    mine = client.get(reverse("applications:mine")).content.decode()
    assert "草稿" in mine and url in mine
    page = client.get(url).content.decode()
    assert 'value="2500000"' in page and "data-draft" in page
    # submitting with what is still missing is refused and the draft stays
    refused = client.post(
        url, {"action": "submit", "declared__rd_expense": "2500000", "contact_name": "李经理"}
    )
    assert refused.status_code == 400 and ApplicationDraft.objects.count() == 1
    done = client.post(
        url,
        {
            "action": "submit",
            "declared__rd_expense": "2500000",
            "contact_name": "李经理",
            "contact_phone": "13812345678",
            f"material_{audit_material.pk}": pdf("审计报告.pdf"),
        },
    )
    assert done.status_code == 302
    assert Application.objects.filter(enterprise=enterprise_user.enterprise).count() == 1
    assert not ApplicationDraft.objects.exists()


def test_submitting_a_draft_rechecks_the_window_on_the_day(client, policy, enterprise_user, audit_material):
    client.force_login(enterprise_user)
    save(policy, enterprise_user, rd_expense="2500000")
    policy.apply_end = dt.date.today() - dt.timedelta(days=1)
    policy.save(update_fields=["apply_end"])
    with pytest.raises(ValidationError) as exc:
        drafts.draft_submit(
            policy=policy,
            enterprise=enterprise_user.enterprise,
            applicant=enterprise_user,
            declared={"rd_expense": "2500000", "contact_name": "李", "contact_phone": "138"},
            files=[(audit_material.pk, pdf())],
        )
    assert "申报已截止" in " ".join(exc.value.message_dict["policy"])
    assert ApplicationDraft.objects.count() == 1 and not Application.objects.exists()


def test_a_draft_can_be_discarded(client, policy, enterprise_user):
    save(policy, enterprise_user)
    client.force_login(enterprise_user)
    client.post(reverse("applications:apply", args=[policy.pk]), {"action": "discard"})
    assert not ApplicationDraft.objects.exists()
    other = EnterpriseUserFactory()
    client.force_login(other)
    client.post(reverse("applications:apply", args=[policy.pk]), {"action": "discard"})
