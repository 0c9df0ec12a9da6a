"""A refused form (CSRF check) answers the portal's own page, not Django's."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_post_without_the_csrf_token_gets_the_portals_expired_form_page():
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "页面已过期" in body and "/static/web/portal.css" in body
    assert "CSRF verification failed" not in body and "Forbidden" not in body
