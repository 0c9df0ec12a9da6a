"""Derived profile tags (画像): computed by the portal, stored as ``EnterpriseTag``
rows of ``TagDefinition(derived=True)`` so that criteria (``tags has …``) and search
can use them like any recognised qualification.

Every tag is one SQL predicate over the enterprise row and its latest annual
indicators; ``derived_tags_refresh`` inserts the rows that are missing and deletes
the ones that no longer hold, set-based, for the whole registry or a few ids.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from enterprises.models import TagDefinition

SOURCE = "画像"

# Latest annual value (period "YYYY", not after the evaluation year) of an indicator: a
# column of the temporary table built once per refresh (joined as ``l``).
_LATEST = "l.{code}"
_LATEST_CODES = ("revenue", "rd_expense")
_TMP = "matching_latest_tmp"

_AGE = "(e.established_on IS NOT NULL AND e.established_on {op} %({param})s)"

# name → (description, SQL predicate over ``e``)
DERIVED_TAGS: dict[str, tuple[str, str]] = {
    "大型企业": ("按国统字〔2017〕213号划型为大型", "e.scale = 'large'"),
    "中型企业": ("按国统字〔2017〕213号划型为中型", "e.scale = 'medium'"),
    "小型企业": ("按国统字〔2017〕213号划型为小型", "e.scale = 'small'"),
    "微型企业": ("按国统字〔2017〕213号划型为微型", "e.scale = 'micro'"),
    "规上企业": (
        "规模以上/限额以上：工业年营业收入2000万元及以上，批发业2000万元、零售业500万元、住宿餐饮业1000万元及以上",
        "(substr(e.industry, 1, 1) IN ('B', 'C', 'D') AND " + _LATEST.format(code="revenue") + " >= 20000000)"
        " OR (substr(e.industry, 1, 3) = 'F51' AND " + _LATEST.format(code="revenue") + " >= 20000000)"
        " OR (substr(e.industry, 1, 3) = 'F52' AND " + _LATEST.format(code="revenue") + " >= 5000000)"
        " OR (substr(e.industry, 1, 1) = 'H' AND " + _LATEST.format(code="revenue") + " >= 10000000)",
    ),
    "科技型": (
        "最近年度研发费用占营业收入3%及以上",
        "("
        + _LATEST.format(code="rd_expense")
        + " >= 0.03 * "
        + _LATEST.format(code="revenue")
        + " AND "
        + _LATEST.format(code="revenue")
        + " > 0)",
    ),
    "成立3年内": ("成立不满3年", _AGE.format(op=">", param="minus3")),
    "成立3至10年": (
        "成立满3年不满10年",
        _AGE.format(op="<=", param="minus3") + " AND " + _AGE.format(op=">", param="minus10"),
    ),
    "成立10年以上": ("成立满10年", _AGE.format(op="<=", param="minus10")),
}


def derived_tag_definitions_ensure() -> dict[str, int]:
    ids = {}
    for name, (description, _sql) in DERIVED_TAGS.items():
        tag, _ = TagDefinition.objects.get_or_create(
            name=name, defaults={"description": description, "issuer": "系统画像", "derived": True}
        )
        ids[name] = tag.pk
    return ids


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


@transaction.atomic
def derived_tags_refresh(*, as_of: date | None = None, enterprise_ids: list[int] | None = None) -> int:
    """Bring the derived tags up to date; returns how many rows were added or removed."""
    as_of = as_of or timezone.localdate()
    tag_ids = derived_tag_definitions_ensure()
    params = {
        "year": str(as_of.year),
        "minus3": _years_before(as_of, 3),
        "minus10": _years_before(as_of, 10),
        "source": SOURCE,
    }
    scope = ""
    if enterprise_ids is not None:
        if not enterprise_ids:
            return 0
        scope = " AND e.id IN (" + ",".join(str(int(i)) for i in enterprise_ids) + ")"
    changed = 0
    with connection.cursor() as cur:
        _latest_table(cur, params=params, scope=scope.replace("e.id", "v.enterprise_id"))
        for name, (_desc, predicate) in DERIVED_TAGS.items():
            tag_id = int(tag_ids[name])
            cur.execute(
                f"""INSERT INTO enterprises_enterprisetag (enterprise_id, tag_id, source)
                    SELECT e.id, {tag_id}, %(source)s FROM enterprises_enterprise e
                    LEFT JOIN {_TMP} l ON l.enterprise_id = e.id
                    WHERE ({predicate}){scope}
                      AND NOT EXISTS (SELECT 1 FROM enterprises_enterprisetag t
                                      WHERE t.enterprise_id = e.id AND t.tag_id = {tag_id})""",
                params,
            )
            changed += max(cur.rowcount, 0)
            cur.execute(
                f"""DELETE FROM enterprises_enterprisetag WHERE tag_id = {tag_id}{scope.replace("e.id", "enterprise_id")}
                    AND NOT EXISTS (SELECT 1 FROM enterprises_enterprise e
                                    LEFT JOIN {_TMP} l ON l.enterprise_id = e.id
                                    WHERE e.id = enterprises_enterprisetag.enterprise_id AND ({predicate}))""",
                params,
            )
            changed += max(cur.rowcount, 0)
        cur.execute(f"DROP TABLE IF EXISTS {_TMP}")
    return changed


def _latest_table(cur, *, params: dict, scope: str) -> None:
    cols = ", ".join(f"MAX(CASE WHEN x.code = '{c}' THEN x.value END) AS {c}" for c in _LATEST_CODES)
    codes = ", ".join(f"'{c}'" for c in _LATEST_CODES)
    cur.execute(f"DROP TABLE IF EXISTS {_TMP}")
    cur.execute(
        f"""CREATE TEMP TABLE {_TMP} AS
            SELECT x.enterprise_id, {cols} FROM (
                SELECT v.enterprise_id, d.code, v.value,
                       ROW_NUMBER() OVER (PARTITION BY v.enterprise_id, v.indicator_id ORDER BY v.period DESC) AS rn
                FROM enterprises_indicatorvalue v
                JOIN enterprises_indicatordefinition d ON d.id = v.indicator_id AND d.code IN ({codes})
                WHERE length(v.period) = 4 AND v.period <= %(year)s AND v.value IS NOT NULL{scope}
            ) x WHERE x.rn = 1 GROUP BY x.enterprise_id""",
        params,
    )
    cur.execute(f"CREATE UNIQUE INDEX {_TMP}_pk ON {_TMP} (enterprise_id)")
    if connection.vendor == "postgresql":
        cur.execute(f"ANALYZE {_TMP}")
