import pytest

import enterprises.services


@pytest.fixture
def rematched(monkeypatch):
    """Records every call of the pipeline's re-match entry point."""
    calls: list[list[int]] = []
    monkeypatch.setattr(
        enterprises.services,
        "enterprise_rematch_schedule",
        lambda *, enterprise_ids: calls.append(list(enterprise_ids)),
    )
    return calls
