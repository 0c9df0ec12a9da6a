"""The one error type of the criteria package."""

from __future__ import annotations


class CriteriaError(ValueError):
    """A criteria tree, award or profile that cannot be accepted.

    ``errors`` is a list of ``{"path": "all[2].value", "message": "…"}`` (Chinese
    messages), every problem found, not only the first.
    """

    def __init__(self, errors: list[dict[str, str]]):
        self.errors = errors
        super().__init__("；".join(f"{e['path'] or '(根)'}: {e['message']}" for e in errors))

    def message_dict(self) -> dict[str, list[str]]:
        """Errors keyed by path, the shape DRF / Django forms like."""
        out: dict[str, list[str]] = {}
        for e in self.errors:
            out.setdefault(e["path"] or "criteria", []).append(e["message"])
        return out
