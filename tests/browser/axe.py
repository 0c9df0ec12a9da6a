"""axe-core (bundled by axe-playwright-python) run against a page in the test browser.

``assert_accessible(page, "what")`` fails on any violation of impact serious or critical and
writes the full result to ``test-artifacts/axe/<what>.json`` for a person to read.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "axe"
FAILING_IMPACTS = {"serious", "critical"}


def axe_violations(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return results.response.get("violations", [])


def assert_accessible(page, what: str) -> None:
    violations = axe_violations(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{what}.json").write_text(
        json.dumps(violations, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    bad = [v for v in violations if v.get("impact") in FAILING_IMPACTS]
    assert not bad, f"axe-core on {what} ({page.url}): " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}" for v in bad
    )
