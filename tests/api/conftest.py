"""The API's test world: two departments (X, Y), two enterprises (A, B), their users and
officials, integrator keys with one scope each (and one with none), a published and a
draft policy of X, a match and a notification of A, a webhook subscription.

Clients send real headers (``Authorization: Token …`` / ``Api-Key …``), as an outside
caller would."""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ALL_SCOPES
from api.services import api_key_issue, token_issue
from tests.factories.accounts import EnterpriseUserFactory
from tests.factories.enterprises import EnterpriseFactory, credit_code
from tests.factories.policies import DepartmentFactory, OfficialFactory, PolicyFactory

CRITERIA = {"all": [{"field": "district", "op": "within", "value": ["4101"]}]}

ROLES = [
    "anon",
    "ent_a",
    "ent_b",
    "off_x",
    "off_y",
    "admin",
    "int_none",
    *[f"int_{scope.replace(':', '_')}" for scope in ALL_SCOPES],
]


@dataclass
class World:
    dept_x: object
    dept_y: object
    ent_a: object
    ent_b: object
    published: object
    draft: object
    users: dict = field(default_factory=dict)
    credentials: dict = field(default_factory=dict)  # role -> Authorization header value
    keys: dict = field(default_factory=dict)
    notification_a: object = None
    subscription: object = None

    def client(self, role: str, **headers) -> APIClient:
        client = APIClient()
        if role != "anon":
            client.credentials(HTTP_AUTHORIZATION=self.credentials[role], **headers)
        elif headers:
            client.credentials(**headers)
        return client


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db) -> World:
    from matching.models import Match, Notification, WebhookDelivery, WebhookSubscription

    # The built-in indicators and tags come from a data migration, which a transactional test
    # elsewhere in the run may have flushed away: put them back (idempotent).
    importlib.import_module("enterprises.migrations.0002_builtin_indicators_and_tags").create(
        django_apps, None
    )
    dept_x = DepartmentFactory(code="zz-gxj", name="郑州市工业和信息化局")
    dept_y = DepartmentFactory(code="zz-kjj", name="郑州市科学技术局")
    ent_a = EnterpriseFactory(credit_code=credit_code(101), name="郑州甲科技有限公司", district="410105")
    ent_b = EnterpriseFactory(credit_code=credit_code(102), name="郑州乙科技有限公司", district="410122")
    published = PolicyFactory(
        title="郑州市高新技术企业认定奖励",
        department=dept_x,
        status="published",
        criteria=CRITERIA,
        award={"amount": "300000"},
        published_at=timezone.now(),
    )
    draft = PolicyFactory(
        title="郑州市专精特新奖励(草稿)", department=dept_x, status="draft", criteria=CRITERIA
    )
    world = World(dept_x=dept_x, dept_y=dept_y, ent_a=ent_a, ent_b=ent_b, published=published, draft=draft)

    User = get_user_model()
    world.users = {
        "ent_a": EnterpriseUserFactory(username="ent_a", enterprise=ent_a),
        "ent_b": EnterpriseUserFactory(username="ent_b", enterprise=ent_b),
        "off_x": OfficialFactory(username="off_x", departments=[dept_x], reviewer=True),
        "off_y": OfficialFactory(username="off_y", departments=[dept_y], reviewer=True),
        "admin": User.objects.create_superuser("admin", "admin@example.com", "Demo-2026-zz"),
    }
    for role, user in world.users.items():
        _token, raw = token_issue(user=user)
        world.credentials[role] = f"Token {raw}"
    key, raw = api_key_issue(name="无权限平台", scopes=[], organisation="平台甲")
    world.keys["int_none"] = key
    world.credentials["int_none"] = f"Api-Key {raw}"
    for scope in ALL_SCOPES:
        role = f"int_{scope.replace(':', '_')}"
        key, raw = api_key_issue(
            name=f"平台 {scope}",
            scopes=[scope],
            organisation=f"平台 {scope}",
            department=dept_x if scope == "policies:write" else None,
        )
        world.keys[role] = key
        world.credentials[role] = f"Api-Key {raw}"

    key, raw = api_key_issue(
        name="全权限平台", scopes=list(ALL_SCOPES), organisation="全权限平台", department=dept_x
    )
    world.keys["int_all"] = key
    world.credentials["int_all"] = f"Api-Key {raw}"

    now = timezone.now()
    Match.objects.create(
        policy=published, enterprise=ent_a, status="eligible", amount="300000", matched_at=now
    )
    Match.objects.create(
        policy=published, enterprise=ent_b, status="eligible", amount="300000", matched_at=now
    )
    world.notification_a = Notification.objects.create(
        enterprise=ent_a,
        policy=published,
        policy_version=1,
        channel="inapp",
        reason="new_match",
        created_at=now,
    )
    Notification.objects.create(
        enterprise=ent_b,
        policy=published,
        policy_version=1,
        channel="inapp",
        reason="new_match",
        created_at=now,
    )
    world.subscription = WebhookSubscription.objects.create(
        owner=world.keys["int_webhooks_manage"].account,
        url="https://hooks.example.com/zz",
        events=["match.created"],
        enterprise=ent_a,
    )
    WebhookDelivery.objects.create(
        subscription=world.subscription,
        event="match.created",
        event_key="k1",
        payload={"policy": published.pk},
        next_attempt_at=now + timedelta(minutes=1),
    )
    return world


class _Recorder(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_receiver(settings):
    """An integrator's endpoint: a real HTTP server on localhost recording what it is sent
    (an on-premise receiver: WEBHOOK_ALLOW_PRIVATE)."""
    settings.WEBHOOK_ALLOW_PRIVATE = True
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    server.requests = []
    server.url = f"http://127.0.0.1:{server.server_port}/zz-policy-hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def eager_tasks():
    """Celery tasks run in-process (the real worker is exercised by the pipeline's own tests)."""
    from portal.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


def pytest_sessionfinish(session):
    """The schemathesis figures (tests.api.figures), written to var/ and printed when pytest
    runs without xdist (a worker's output is not shown)."""
    from tests.api import figures

    totals = figures.write_summary()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if totals and reporter is not None:
        reporter.write_line(f"schemathesis: {totals} (also in {figures.SUMMARY})")
