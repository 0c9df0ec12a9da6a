"""Webhook targets are HTTPS addresses on the public internet, checked when a subscription is
registered and again at every delivery, which connects to the very address it checked (DNS
rebinding). WEBHOOK_ALLOW_PRIVATE / WEBHOOK_ALLOWED_NETWORKS open it for on-premise receivers."""

import ipaddress

import pytest
from rest_framework.test import APIClient

from api.services import api_key_issue
from matching.channels import TransportError, webhook
from matching.models import WebhookSubscription

pytestmark = pytest.mark.django_db

PUBLIC = ipaddress.ip_address("93.184.215.14")


@pytest.fixture
def dns(monkeypatch):
    """A resolver the test controls: name → addresses (what the name server says right now)."""
    table: dict[str, list[str]] = {}

    def resolve(host, port):
        try:
            return (ipaddress.ip_address(host),)
        except ValueError:
            pass
        if host not in table:
            raise webhook.TargetUnresolved(host)
        return tuple(ipaddress.ip_address(a) for a in table[host])

    monkeypatch.setattr(webhook, "_resolve", resolve)
    return table


@pytest.fixture
def integrator():
    _key, raw = api_key_issue(name="省平台", scopes=["webhooks:manage"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return client


def _register(client, url, **headers):
    return client.post(
        "/api/v1/webhooks/", {"url": url, "events": ["match.created"]}, format="json", **headers
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.100.100.200/latest/meta-data/",
        "https://10.1.2.3/hook",
        "https://192.168.1.10/hook",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
        "https://internal.example.com/hook",  # resolves to a private address
        "https://mixed.example.com/hook",  # one public, one loopback address
        "http://hooks.example.com/hook",  # public, but not HTTPS
        "ftp://hooks.example.com/hook",
    ],
)
def test_registration_refuses_targets_that_are_not_public_https(integrator, dns, url):
    dns.update({"internal.example.com": ["10.0.0.8"], "mixed.example.com": [str(PUBLIC), "127.0.0.1"],
                "hooks.example.com": [str(PUBLIC)]})  # fmt: skip
    response = _register(integrator, url)
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["url"]
    assert not WebhookSubscription.objects.exists()


def test_the_refusal_says_why_in_the_callers_language(integrator, dns):
    zh = _register(integrator, "https://169.254.169.254/x").json()["url"][0]
    en = _register(integrator, "https://169.254.169.254/x", HTTP_ACCEPT_LANGUAGE="en").json()["url"][0]
    assert "云平台元数据地址" in zh
    assert "a cloud metadata address" in en and "169.254.169.254" in en


def test_public_https_targets_and_names_not_resolving_yet_are_registered(integrator, dns):
    dns["hooks.example.com"] = [str(PUBLIC)]
    assert _register(integrator, "https://hooks.example.com/hook").status_code == 201
    assert _register(integrator, "https://not-yet.example.com/hook").status_code == 201
    sub = WebhookSubscription.objects.order_by("id").first()
    # a change of URL is checked the same way
    response = integrator.patch(f"/api/v1/webhooks/{sub.pk}/", {"url": "https://10.0.0.1/x"}, format="json")
    assert response.status_code == 400 and "url" in response.json()


def test_settings_open_private_receivers_but_never_metadata(integrator, dns, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    assert _register(integrator, "http://10.20.1.5:8080/hook").status_code == 201
    assert _register(integrator, "https://10.30.1.5/hook").status_code == 400
    settings.WEBHOOK_ALLOW_PRIVATE = True
    assert _register(integrator, "http://127.0.0.1:9/hook").status_code == 201
    assert _register(integrator, "http://169.254.169.254/latest/").status_code == 400


def test_delivery_checks_again_and_refuses_a_name_re_pointed_at_an_internal_address(
    http_receiver, dns, settings
):
    # registered while the name pointed at a public address; now it points at the receiver on 127.0.0.1
    settings.WEBHOOK_ALLOW_PRIVATE = False
    dns["rebind.example.com"] = ["127.0.0.1"]
    url = f"https://rebind.example.com:{http_receiver.server_port}/hook"
    with pytest.raises(TransportError) as refused:
        webhook.post(url, "s3cret", event="match.created", delivery_id="d-1", payload={})
    assert not refused.value.retryable and "loopback" in refused.value.reason
    assert http_receiver.requests == []


def test_delivery_connects_to_the_address_it_checked(http_receiver, dns):
    # the name resolves only through the checked resolver: requests never looks it up again
    dns["hooks.internal.example"] = ["127.0.0.1"]
    url = f"http://hooks.internal.example:{http_receiver.server_port}/hook"
    assert webhook.post(url, "s3cret", event="match.created", delivery_id="d-2", payload={"a": 1}) == 200
    (request,) = http_receiver.requests
    assert request["headers"]["Host"] == f"hooks.internal.example:{http_receiver.server_port}"
    assert request["headers"]["X-Portal-Delivery"] == "d-2"


def test_redirects_are_not_followed(http_receiver):
    http_receiver.statuses.append(302)
    with pytest.raises(TransportError) as refused:
        webhook.post(http_receiver.url, "s3cret", event="match.created", delivery_id="d-3", payload={})
    assert not refused.value.retryable and "redirect" in refused.value.reason


def test_tls_is_verified_for_the_name_while_connecting_to_the_checked_address():
    import requests

    adapter = webhook._PinnedAdapter("hooks.example.com")
    request = requests.Request("POST", "https://93.184.215.14:443/hook").prepare()
    host_params, pool_kwargs = adapter.build_connection_pool_key_attributes(request, verify=True)
    assert host_params["host"] == "93.184.215.14"
    assert pool_kwargs["server_hostname"] == "hooks.example.com"
    assert pool_kwargs["assert_hostname"] == "hooks.example.com"
    assert pool_kwargs["cert_reqs"] == "CERT_REQUIRED"


def test_the_admin_form_checks_the_target_too(dns):
    from matching.admin import WebhookSubscriptionForm

    form = WebhookSubscriptionForm(data={"url": "https://169.254.169.254/x", "events": "[]", "secret": "s"})
    assert not form.is_valid() and "云平台元数据地址" in form.errors["url"][0]
    dns["hooks.example.com"] = [str(PUBLIC)]
    ok = WebhookSubscriptionForm(data={"url": "https://hooks.example.com/x", "events": "[]", "secret": "s"})
    assert ok.is_valid(), ok.errors
