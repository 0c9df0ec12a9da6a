"""One address per caller (``portal.client_ip``, ``TRUSTED_PROXIES``): a made-up
``X-Forwarded-For`` opens no new rate-limit bucket, is not what django-axes counts nor what
the audit trail records; authenticated callers have a bucket per key and per person."""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from portal.client_ip import AuditlogMiddleware, client_ip
from tests.factories.accounts import UserFactory


def _eligibility(client, forwarded: str, remote: str = "198.51.100.7"):
    return client.post(
        "/api/v1/eligibility/",
        {"profile": {}},
        format="json",
        HTTP_X_FORWARDED_FOR=forwarded,
        REMOTE_ADDR=remote,
    )


def test_seventy_requests_with_forged_forwarded_for_are_throttled(world):
    client = APIClient()
    codes = [_eligibility(client, f"203.0.113.{i}, 10.0.0.{i}").status_code for i in range(70)]
    # the eligibility rate is 60/min per address: the header buys nothing
    assert codes[:60] == [200] * 60
    assert codes[60:] == [429] * 10


def test_behind_one_trusted_proxy_the_address_it_saw_is_the_client(world, settings):
    settings.TRUSTED_PROXIES = 1
    client = APIClient()
    # forged leftmost entries, one real client (the rightmost, written by the proxy): one bucket
    codes = [
        _eligibility(client, f"203.0.113.{i}, 192.0.2.1", remote="10.0.0.1").status_code for i in range(61)
    ]
    assert codes[-1] == 429 and codes.count(200) == 60
    # another client behind the same proxy has its own bucket
    assert _eligibility(client, "192.0.2.2", remote="10.0.0.1").status_code == 200


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.5", "10.0.0.1"),
        (1, "203.0.113.5, 192.0.2.1", "192.0.2.1"),
        (2, "203.0.113.5, 192.0.2.1", "203.0.113.5"),
        (3, "192.0.2.1", "192.0.2.1"),
        (1, "", "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1"),
    ],
)
def test_client_ip_takes_the_address_the_outermost_trusted_proxy_saw(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_the_audit_trail_records_the_resolved_address_not_the_header(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert AuditlogMiddleware(lambda r: None).get_extra_data(request)["remote_addr"] == "10.0.0.1"


def test_axes_counts_failures_against_the_real_address(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = UserFactory()
    APIClient().post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": "wrong-password-1"},
        format="json",
        REMOTE_ADDR="10.4.4.4",
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["10.4.4.4"]


@pytest.fixture
def small_rates(monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {**SimpleRateThrottle.THROTTLE_RATES, "apikey": "3/min", "user": "3/min", "anon": "1000/min"},
    )


def test_each_api_key_has_its_own_rate_wherever_it_calls_from(world, small_rates):
    key_a, key_b = world.client("int_matches_read"), world.client("int_enterprises_read")
    codes = [key_a.get("/api/v1/policies/", REMOTE_ADDR=f"10.0.1.{i}").status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]
    assert key_b.get("/api/v1/policies/").status_code == 200
    assert APIClient().get("/api/v1/policies/").status_code == 200  # anonymous: their own bucket


def test_each_person_has_their_own_rate_wherever_they_call_from(world, small_rates):
    ent_a, off_x = world.client("ent_a"), world.client("off_x")
    codes = [ent_a.get("/api/v1/policies/", REMOTE_ADDR=f"10.0.2.{i}").status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]
    assert off_x.get("/api/v1/policies/").status_code == 200
