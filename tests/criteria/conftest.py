"""Helpers of the criteria tests: a vocabulary without the database, and a writer that
stores a ``Profile`` as registry rows (the way the registry stores them)."""

import sqlite3
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from enterprises.models import Enterprise, EnterpriseTag, IndicatorDefinition, IndicatorValue, TagDefinition
from enterprises.periods import period_bounds
from matching.criteria import Profile, Vocabulary
from matching.criteria.vocabulary import indicator_spec

# indicators the tests define besides the built-ins: a flag without periods, a code, a quarterly amount
EXTRA_INDICATORS = [
    ("is_exporter", "是否有进出口实绩", "flag", "", "none"),
    ("credit_rating", "纳税信用等级", "code", "", "year"),
    ("freight", "物流运费", "money", "元", "quarter"),
]
EXTRA_TAGS = ["测试资质"]


def test_vocabulary() -> Vocabulary:
    return Vocabulary.builtin(
        extra_indicators=[indicator_spec(c, n, t, u, p) for c, n, t, u, p in EXTRA_INDICATORS],
        extra_tags=EXTRA_TAGS,
    )


test_vocabulary.__test__ = False  # a helper, not a test


@pytest.fixture
def vocab() -> Vocabulary:
    return test_vocabulary()


def define_extras() -> None:
    for code, name, type_, unit, periodicity in EXTRA_INDICATORS:
        IndicatorDefinition.objects.get_or_create(
            code=code, defaults={"name": name, "type": type_, "unit": unit, "periodicity": periodicity}
        )
    for name in [*EXTRA_TAGS, *test_vocabulary().tags]:
        TagDefinition.objects.get_or_create(name=name)


_seq = [0]


def save_profile(p: Profile) -> Enterprise:
    """Write ``p`` as an Enterprise with its tags and indicator values; returns the row."""
    _seq[0] += 1
    e = Enterprise.objects.create(
        credit_code=f"91T{_seq[0]:015d}",
        name=p.name or f"测试企业{_seq[0]}",
        entity_type=p.entity_type or "",
        district=p.district or "",
        zone=p.zone or "",
        industry=p.industry or "",
        established_on=p.established_on,
        registered_capital=p.registered_capital,
        scale=p.scale,
    )
    tags = {t.name: t for t in TagDefinition.objects.filter(name__in=list(p.tags))}
    EnterpriseTag.objects.bulk_create(
        EnterpriseTag(enterprise=e, tag=tags[name], recognized_on=h.recognized_on, expires_on=h.expires_on,
                      first_time=h.first_time)
        for name, h in p.tags.items()
    )  # fmt: skip
    inds = {d.code: d for d in IndicatorDefinition.objects.filter(code__in=list(p.indicators))}
    rows = []
    for code, values in p.indicators.items():
        for period, value in values.items():
            start, end = period_bounds(period)
            rows.append(IndicatorValue(
                enterprise=e, indicator=inds[code], period=period, period_start=start, period_end=end,
                value=value if isinstance(value, Decimal) else None,
                text_value=value if isinstance(value, str) else "",
            ))  # fmt: skip
    IndicatorValue.objects.bulk_create(rows)
    return e


AS_OF = date(2025, 6, 15)


@pytest.fixture
def stock_sqlite_limits():
    """SQLite as most builds have it: 32,766 parameters a statement (Debian's allows 250,000)."""
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    before = raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 32766)
    yield
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)
