from datetime import date

import pytest
from django.core.exceptions import ValidationError

from enterprises.periods import normalize_period, period_bounds
from enterprises.reference import (
    ZHENGDONG_ZONE_CODE,
    district_name,
    industry_name,
    normalize_district,
    normalize_industry,
    normalize_zone,
    zone_name,
)


@pytest.mark.parametrize(
    ("value", "code"),
    [("410105", "410105"), ("金水区", "410105"), ("金水", "410105"), ("郑州市金水区", "410105"),
     ("河南省郑州市二七区", "410103"), ("管城回族区", "410104"), ("管城区", "410104"), ("中牟县", "410122"),
     ("巩义市", "410181"), (" 新郑市 ", "410184"), ("郑州市", "410100"), ("410100", "410100"),
     ("410172", "410172"), ("高新区", "410172"), ("410105001000", "410105"),
     ("110105", "110105"), ("440305", "440305")],
)  # fmt: skip
def test_districts_are_accepted_by_code_or_chinese_name(value, code):
    assert normalize_district(value) == code


@pytest.mark.parametrize(
    ("value", "reason"),
    [("410107", "郑州市没有"), ("410199", "郑州市没有"), ("999999", "无效"), ("4101", "6位"), ("", "不能为空"),
     ("朝阳区", "未知"), ("郑东新区", "功能区")],
)  # fmt: skip
def test_unknown_districts_are_rejected_with_a_reason(value, reason):
    with pytest.raises(ValidationError) as exc:
        normalize_district(value)
    assert reason in exc.value.messages[0]


@pytest.mark.parametrize(
    ("value", "code"),
    [("", ""), (None, ""), ("无", ""), ("经开区", "410171"), ("郑州经济技术开发区", "410171"), ("410171", "410171"),
     ("高新区", "410172"), ("郑州高新技术产业开发区", "410172"), ("航空港区", "410173"),
     ("郑州航空港经济综合实验区", "410173"), ("郑东新区", ZHENGDONG_ZONE_CODE), (ZHENGDONG_ZONE_CODE.lower(), ZHENGDONG_ZONE_CODE)],
)  # fmt: skip
def test_zones_are_accepted_by_code_or_name(value, code):
    assert normalize_zone(value) == code


def test_zhengdong_has_a_project_code_that_no_statistical_code_can_take():
    assert not ZHENGDONG_ZONE_CODE.isdigit() and ZHENGDONG_ZONE_CODE.startswith("4101")
    assert zone_name(ZHENGDONG_ZONE_CODE) == "郑东新区"


def test_unknown_zone_is_rejected():
    with pytest.raises(ValidationError, match="未知的功能区"):
        normalize_zone("金水区")


def test_display_names():
    assert district_name("410104") == "管城回族区"
    assert district_name("110105") == "北京市朝阳区"
    assert district_name("610113") == "西安市雁塔区"
    assert district_name("999999") == "999999"
    assert industry_name("I6513") == "软件和信息技术服务业"


@pytest.mark.parametrize(
    ("value", "code"),
    [("C3411", "C3411"), ("3411", "C3411"), ("c 3411", "C3411"), ("C-3411", "C3411"), ("I65", "I65"), ("65", "I65"),
     ("651", "I651"), ("０５", "A05"), ("制造业", "C"), ("软件和信息技术服务业", "I65"), ("C", "C")],
)  # fmt: skip
def test_industries_have_one_normal_form(value, code):
    assert normalize_industry(value) == code


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("C6513", "不符"),
        ("99", "没有大类"),
        ("X12", "没有门类"),
        ("C34111", "格式"),
        ("3", "格式"),
        ("", "不能为空"),
    ],
)
def test_bad_industries_are_rejected_with_a_reason(value, reason):
    with pytest.raises(ValidationError) as exc:
        normalize_industry(value)
    assert reason in exc.value.messages[0]


def test_a_bare_section_is_for_criteria_not_for_a_profile():
    with pytest.raises(ValidationError, match="大类"):
        normalize_industry("C", allow_section=False)


@pytest.mark.parametrize(
    ("period", "first", "last"),
    [("2024", date(2024, 1, 1), date(2024, 12, 31)), ("2024H1", date(2024, 1, 1), date(2024, 6, 30)),
     ("2024h2", date(2024, 7, 1), date(2024, 12, 31)), ("2024Q1", date(2024, 1, 1), date(2024, 3, 31)),
     ("2024Q4", date(2024, 10, 1), date(2024, 12, 31)), ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
     ("2023-02", date(2023, 2, 1), date(2023, 2, 28)), ("", None, None)],
)  # fmt: skip
def test_period_bounds(period, first, last):
    assert period_bounds(period) == (first, last)


@pytest.mark.parametrize("bad", ["2024Q5", "2024H3", "2024-13", "24", "last_year", "2024-1-1"])
def test_bad_periods_are_rejected(bad):
    with pytest.raises(ValidationError, match="期间|月份"):
        normalize_period(bad)


def test_the_reference_package_imports_without_the_criteria_package():
    # given a fresh interpreter, when only the registry's reference data is imported,
    # then the criteria package is not (it reads the reference, never the other way round)
    import subprocess
    import sys
    from pathlib import Path

    code = "import sys, enterprises.reference; print('matching.criteria' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert out.stdout.strip() == "False"
