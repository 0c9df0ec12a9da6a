import threading
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

LAST_YEAR = str(date.today().year - 1)


@pytest.fixture
def city():
    """rich: eligible; unknown: capital ok, revenue unknown → possible; poor: not eligible (for
    ``test_engine.TREE``)."""
    from tests.factories.enterprises import EnterpriseFactory, IndicatorValueFactory

    rich = EnterpriseFactory(registered_capital=Decimal("8000000"))
    IndicatorValueFactory(enterprise=rich, period=LAST_YEAR, value=Decimal("20000000"))
    unknown = EnterpriseFactory(registered_capital=Decimal("6000000"))
    poor = EnterpriseFactory(registered_capital=Decimal("100000"))
    IndicatorValueFactory(enterprise=poor, period=LAST_YEAR, value=Decimal("50000000"))
    return {"rich": rich, "unknown": unknown, "poor": poor}


class _Recorder(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def http_receiver(settings):
    """A real HTTP server on localhost that records POSTs; ``.statuses`` queues reply codes.
    (Webhooks to 127.0.0.1 need WEBHOOK_ALLOW_PRIVATE: the receivers of on-premise deployments.)"""
    settings.WEBHOOK_ALLOW_PRIVATE = True
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    server.requests, server.statuses = [], []
    server.url = f"http://127.0.0.1:{server.server_port}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _fresh_policy_cache():
    """The per-worker cache of published trees must not leak between tests (ids are reused)."""
    from matching.pipeline.rematch import PUBLISHED

    PUBLISHED.by_id.clear()
    PUBLISHED.generation = object()
    yield
    PUBLISHED.by_id.clear()
    PUBLISHED.generation = object()


@pytest.fixture(autouse=True)
def _eager_tasks():
    """These are engine tests: tasks run in-process even when REDIS_URL is set (CI); the
    real worker is exercised by tests/integration."""
    from portal.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before
