import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse
from import_export.admin import ExportMixin

from portal.accounts.admin_masking import PersonalDataMaskingMixin
from portal.accounts.models import User
from tests.factories.accounts import OfficialUserFactory, SuperuserFactory, UserFactory

pytestmark = pytest.mark.django_db


def _official_managing_users(*, personal_data=False):
    official = OfficialUserFactory()
    codenames = ["view_user", "change_user"]
    perms = list(Permission.objects.filter(content_type__app_label="accounts", codename__in=codenames))
    if personal_data:
        perms.append(
            Permission.objects.get(content_type__app_label="enterprises", codename="view_personal_data")
        )
    official.user_permissions.add(*perms)
    return official


def test_user_admin_masks_phone_and_email_without_the_permission(client):
    target = UserFactory(phone="13812345678", email="zhang.san@example.com")
    client.force_login(_official_managing_users())
    listing = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    form = client.get(reverse("admin:accounts_user_change", args=[target.pk])).content.decode()
    for html in (listing, form):
        assert "138****5678" in html and "13812345678" not in html
    assert "z***@example.com" in form and "zhang.san@example.com" not in form


def test_searching_by_phone_does_not_reveal_it_without_the_permission(client):
    UserFactory(username="needle", phone="13812345678")
    client.force_login(_official_managing_users())
    html = client.get(reverse("admin:accounts_user_changelist"), {"q": "13812345678"}).content.decode()
    assert "needle" not in html


def test_holders_of_the_permission_and_superusers_see_raw_values(client):
    target = UserFactory(phone="13812345678")
    for viewer in (_official_managing_users(personal_data=True), SuperuserFactory()):
        client.force_login(viewer)
        html = client.get(reverse("admin:accounts_user_change", args=[target.pk])).content.decode()
        assert "13812345678" in html


def test_saving_without_the_permission_keeps_the_hidden_values(client):
    target = UserFactory(phone="13812345678", email="a@example.com")
    client.force_login(_official_managing_users())
    response = client.post(
        reverse("admin:accounts_user_change", args=[target.pk]),
        {
            "username": target.username,
            "first_name": "改",
            "last_name": "",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.first_name, target.phone, target.email) == ("改", "13812345678", "a@example.com")


class _UserExportAdmin(PersonalDataMaskingMixin, ExportMixin, admin.ModelAdmin):
    personal_data_fields = {"phone": "phone", "email": "email"}


def test_exports_are_masked_without_the_permission(rf):
    UserFactory(phone="13812345678", email="zhang.san@example.com")
    model_admin = _UserExportAdmin(User, admin.site)
    request = rf.get("/")
    request.user = _official_managing_users()
    data = model_admin.get_data_for_export(request, User.objects.all())
    text = data.export("csv")
    assert "138****5678" in text and "13812345678" not in text
    assert "zhang.san@example.com" not in text
    request.user = SuperuserFactory()
    assert "13812345678" in model_admin.get_data_for_export(request, User.objects.all()).export("csv")
