"""Every row of 国统字〔2017〕213号 on and around each of its bounds, driven by the reference JSON."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from enterprises.reference import classify_scale, industry_divisions, sme_row_for

TABLE = json.loads(
    (Path(__file__).resolve().parents[2] / "enterprises/reference/sme_2017.json").read_text("utf-8")
)
FIELD = {"X": ("employees", 1), "Y": ("revenue", 10000), "Z": ("total_assets", 10000)}
LOWER = {"large": "medium", "medium": "small", "small": "micro"}


def _representative_codes(row: dict) -> list[str]:
    """Industry codes the row covers, one per kind of scope entry."""
    scope = row["gbt4754_2017_scope"]
    divisions = industry_divisions()
    excluded_groups = row.get("excludes", {}).get("groups", [])
    codes = []
    for section in scope.get("sections", []):
        for div, (sec, _) in divisions.items():
            if sec == section:
                codes.append(f"{section}{div}" if not excluded_groups else f"{section}{div}99")
                break
    for div in scope.get("divisions", []):
        suffix = "99" if excluded_groups else ""
        codes.append(f"{divisions[div][0]}{div}{suffix}")
    for group in scope.get("groups", []):
        codes.append(f"{divisions[group[:2]][0]}{group}0")
    for cls in scope.get("classes", []):
        codes.append(f"{divisions[cls[:2]][0]}{cls}")
    return codes


def _cases():
    for row in TABLE["industries"]:
        for code in _representative_codes(row):
            for letter, bounds in row["indicators"].items():
                for tier in ("large", "medium", "small"):
                    yield pytest.param(
                        row, code, letter, tier, bounds[tier], id=f"{row['id']}-{code}-{letter}-{tier}"
                    )


def _profile(row: dict, **override) -> dict:
    # every listed indicator far above its large bound, unless overridden
    profile = {"employees": None, "revenue": None, "total_assets": None}
    for letter, bounds in row["indicators"].items():
        name, factor = FIELD[letter]
        profile[name] = Decimal(bounds["large"]) * factor * 10
    profile.update(override)
    return profile


@pytest.mark.parametrize(("row", "code", "letter", "tier", "bound"), list(_cases()))
def test_each_bound_is_inclusive_and_one_unit_below_drops_a_tier(row, code, letter, tier, bound):
    name, factor = FIELD[letter]
    at = Decimal(bound) * factor
    # given the other indicators at large level, when this one sits exactly on the bound
    assert classify_scale(industry=code, **_profile(row, **{name: at})) == tier
    # and when it is one person / one yuan below it, the enterprise drops one tier
    assert classify_scale(industry=code, **_profile(row, **{name: at - 1})) == LOWER[tier]
    # and just above it stays in the tier
    assert classify_scale(industry=code, **_profile(row, **{name: at + 1})) == tier


@pytest.mark.parametrize("row", TABLE["industries"], ids=lambda r: r["id"])
def test_every_covered_code_maps_to_its_own_row(row):
    for code in _representative_codes(row):
        assert sme_row_for(code)["id"] == row["id"], code


@pytest.mark.parametrize(
    "row", [r for r in TABLE["industries"] if len(r["indicators"]) > 1], ids=lambda r: r["id"]
)
def test_mixed_indicators_take_the_lowest_tier(row):
    code = _representative_codes(row)[0]
    letters = list(row["indicators"])
    first, second = FIELD[letters[0]], FIELD[letters[1]]
    profile = _profile(
        row,
        **{first[0]: Decimal(row["indicators"][letters[0]]["large"]) * first[1],
           second[0]: Decimal(row["indicators"][letters[1]]["small"]) * second[1]},
    )  # fmt: skip
    assert classify_scale(industry=code, **profile) == "small"


@pytest.mark.parametrize(
    "row", [r for r in TABLE["industries"] if len(r["indicators"]) > 1], ids=lambda r: r["id"]
)
def test_missing_data_is_unknown_unless_a_known_value_already_means_micro(row):
    code = _representative_codes(row)[0]
    letters = list(row["indicators"])
    name, factor = FIELD[letters[0]]
    high = Decimal(row["indicators"][letters[0]]["large"]) * factor
    low = Decimal(row["indicators"][letters[0]]["small"]) * factor - 1
    missing = {FIELD[letter][0]: None for letter in letters[1:]}
    assert classify_scale(industry=code, **_profile(row, **{name: high}, **missing)) is None
    assert classify_scale(industry=code, **_profile(row, **{name: low}, **missing)) == "micro"


@pytest.mark.parametrize(
    "code", ["G53", "G5331", "J66", "J6621", "K7040", "P83", "P8391", "Q84", "Q8411", "S91", "T97"]
)
def test_industries_the_table_does_not_cover_have_no_scale(code):
    assert classify_scale(industry=code, employees=10, revenue=10**6, total_assets=10**6) is None


@pytest.mark.parametrize("code", ["G59", "K70", "G", "F", ""])
def test_codes_too_coarse_to_pick_a_row_have_no_scale(code):
    assert classify_scale(industry=code, employees=10, revenue=10**6, total_assets=10**6) is None


def test_loading_and_unloading_5910_is_transport_and_warehousing_is_its_own_row():
    assert sme_row_for("G5910")["id"] == "transport"
    assert sme_row_for("G5920")["id"] == "warehousing"
    assert sme_row_for("K7010")["id"] == "real_estate_dev"
    assert sme_row_for("K7020")["id"] == "property_mgmt"
    assert sme_row_for("K7030")["id"] == "other_unlisted"  # 房地产中介服务
    assert sme_row_for("K7040") is None  # 房地产租赁经营: the 2017 text is inconsistent, so not covered
