"""Addresses people type or were once sent answer with the page, not a 404: pushes sent before
issue 12 linked ``/policies/<id>/``; ``/policies/`` and ``/applications/`` are what one types;
browsers ask ``/favicon.ico``."""

import pytest
from django.urls import reverse

from tests.factories.policies import PolicyFactory

pytestmark = pytest.mark.django_db


def test_an_old_push_link_to_policies_id_reaches_the_policy_page(client):
    policy = PolicyFactory(status="published", title="郑州市旧链接测试政策")
    # when
    response = client.get(f"/policies/{policy.pk}/", follow=True)
    # then
    assert response.redirect_chain == [(reverse("web:policy_detail", args=[policy.pk]), 301)]
    assert response.status_code == 200
    assert "郑州市旧链接测试政策" in response.content.decode()


def test_the_typed_list_addresses_keep_their_query(client):
    response = client.get("/policies/", {"q": "研发"})
    assert response.status_code == 301
    assert response["Location"] == reverse("web:policy_list") + "?q=%E7%A0%94%E5%8F%91"
    assert client.get("/applications/")["Location"] == reverse("applications:mine")


def test_favicon_is_the_portal_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".svg")
    html = client.get(reverse("web:home")).content.decode()
    assert 'rel="icon"' in html
