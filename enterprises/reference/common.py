"""What the reference modules share: where the official tables are and how a typed name is read."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

# The official tables (JSON, with their sources) sit beside this package's modules.
REFERENCE_DIR = Path(__file__).resolve().parent


def load(name: str) -> Any:
    with open(REFERENCE_DIR / name, encoding="utf-8") as fh:
        return json.load(fh)


def clean_text(value: Any) -> str:
    """NFKC (full-width → half-width) with all white space dropped; "" for None."""
    if value is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
