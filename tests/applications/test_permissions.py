"""Only the applying enterprise's users and the officials of the policy's department see an
application and its files; nobody reaches a file by a public path."""

import pytest
from django.urls import reverse

from applications import services

from .conftest import PDF, at, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(policy, enterprise_user, audit_material):
    return services.application_submit(
        policy=policy,
        enterprise=enterprise_user.enterprise,
        applicant=enterprise_user,
        declared={"rd_expense": "2500000", "contact_name": "李", "contact_phone": "13812345678"},
        files=[(audit_material.pk, pdf("审计报告.pdf"))],
        now=at(2025, 9, 26),
    )


def _get(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def test_the_file_is_served_to_the_enterprise_and_the_departments_officials_only(
    client, application, enterprise_user, official, other_official, other_enterprise_user
):
    url = reverse("applications:file", args=[application.files.get().pk])
    for user in (enterprise_user, official):
        response = _get(client, user, url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"].startswith("attachment")
        assert response["Cache-Control"] == "private, no-store"
    for user in (other_official, other_enterprise_user):
        assert _get(client, user, url).status_code == 404
    anonymous = _get(client, None, url)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_media_files_have_no_public_url(client, application, settings):
    stored = application.files.get()
    assert client.get(f"/media/{stored.file.name}").status_code == 404
    assert "media" not in reverse("applications:file", args=[stored.pk])


def test_the_application_page_follows_the_same_rule(
    client, application, enterprise_user, official, other_official
):
    url = reverse("applications:detail", args=[application.pk])
    assert _get(client, enterprise_user, url).status_code == 200
    page = _get(client, official, url)
    assert page.status_code == 200 and "btn-approve" in page.content.decode()
    assert _get(client, other_official, url).status_code == 404


def test_an_official_of_another_department_cannot_decide(client, application, other_official):
    client.force_login(other_official)
    response = client.post(
        reverse("applications:review_action", args=[application.pk]), {"action": "approve", "amount": "1"}
    )
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == "submitted"


def test_the_apply_page_prefills_and_lists_materials_skipping_shared_data(client, policy, enterprise_user):
    client.force_login(enterprise_user)
    html = client.get(reverse("applications:apply", args=[policy.pk])).content.decode()
    assert "郑州智造科技有限公司" in html
    assert 'name="declared__rd_expense"' in html and 'name="declared__revenue"' not in html
    assert "免提交" in html and 'name="material_' in html
    assert html.count('type="file"') == 2  # the audit report and "other"; not the 免证明 licence


def test_apply_by_post_with_a_disguised_file_changes_nothing(client, policy, enterprise_user, audit_material):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from applications.models import Application

    client.force_login(enterprise_user)
    response = client.post(
        reverse("applications:apply", args=[policy.pk]),
        {
            "declared__rd_expense": "2500000",
            "contact_name": "李",
            "contact_phone": "13812345678",
            f"material_{audit_material.pk}": SimpleUploadedFile("审计报告.pdf", b"MZ\x90\x00not a pdf"),
        },
    )
    assert response.status_code == 400
    assert "内容与扩展名 .pdf 不符" in response.content.decode()
    assert not Application.objects.exists()
