"""The issue's "done when", end to end through the API only: an integrator gets a key, pushes
enterprises, subscribes a webhook, and receives a signed push when an official publishes a
policy its enterprise qualifies for; the delivery log shows it."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from api.services import api_key_issue
from matching.channels import webhook
from tests.factories.enterprises import credit_code


@pytest.mark.services
def test_an_integrator_pushes_enterprises_subscribes_and_receives_a_signed_push_on_publish(
    world, webhook_receiver, eager_tasks
):
    from matching.models import ChannelPreference
    from matching.pipeline import deliver

    # given an integrator key with the scopes it needs
    _key, raw = api_key_issue(
        name="省企业服务平台",
        organisation="河南省企业服务平台",
        scopes=["enterprises:write", "matches:read", "webhooks:manage"],
    )
    platform = APIClient()
    platform.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    # and a thousand enterprises pushed in one request
    rows = [
        {
            "credit_code": credit_code(9000 + i),
            "name": f"郑州接入企业{i}有限公司",
            "district": "410105" if i else "金水区",
            "industry": "C3411",
        }
        for i in range(1000)
    ]
    pushed = platform.post(
        "/api/v1/enterprises/bulk/", {"source": "省平台", "enterprises": rows}, format="json"
    )
    assert pushed.status_code == 200 and pushed.json()["created"] == 1000
    code = rows[0]["credit_code"]
    # and a webhook for the first one, whose owner turned the webhook channel on
    sub = platform.post(
        "/api/v1/webhooks/",
        {"url": webhook_receiver.url, "events": ["match.created"], "enterprise": code},
        format="json",
    )
    assert sub.status_code == 201, sub.json()
    secret = sub.json()["secret"]
    from enterprises.models import Enterprise

    ChannelPreference.objects.create(enterprise=Enterprise.objects.get(credit_code=code), webhook=True)

    # when an official drafts a policy that enterprise qualifies for and a reviewer publishes it
    official = world.client("off_x")
    draft = official.post(
        "/api/v1/policies/",
        {
            "title": "郑州市制造业企业发展奖励",
            "department": "zz-gxj",
            "criteria": {
                "all": [
                    {"field": "district", "op": "within", "value": ["4101"]},
                    {"field": "industry", "op": "within", "value": ["C34"]},
                ]
            },
            "award": {"amount": "100000"},
        },
        format="json",
    ).json()
    published = world.client("admin").post(f"/api/v1/policies/{draft['id']}/publish/")
    assert published.status_code == 200, published.json()
    deliver.deliveries_plan()
    deliver.deliveries_send()

    # then the integrator sees the match and received one signed push about it
    matches = platform.get(f"/api/v1/enterprises/{code}/matches/").json()
    # (the fixture's published policy matched when the enterprises arrived, before the webhook)
    assert {m["policy"] for m in matches["results"]} == {draft["id"], world.published.pk}
    assert len(webhook_receiver.requests) == 1
    request = webhook_receiver.requests[0]
    headers = request["headers"]
    assert webhook.verify(
        secret, headers["X-Portal-Timestamp"], request["body"], headers["X-Portal-Signature"]
    )
    assert draft["id"] in [item["policy_id"] for item in json.loads(request["body"])["items"]]
    log = platform.get(f"/api/v1/webhooks/{sub.json()['id']}/deliveries/").json()
    assert (
        log["count"] == 1
        and log["results"][0]["status"] == "sent"
        and log["results"][0]["response_code"] == 200
    )
