"""Demo part of the registry: ``load(enterprises, seed)`` creates that many synthetic
enterprises (default 5,000), among them 郑州智算科技有限公司, the demo enterprise user's.

Idempotent and fast: when the registry already holds them, nothing is done; otherwise the
rows go through the same validation and set-based write as any import.
"""

from __future__ import annotations

from enterprises.importing import rows_import
from enterprises.models import Enterprise
from enterprises.synthetic import DEMO_ENTERPRISE, HEADERS, enterprise_rows

# The well-profiled demo enterprise (高新技术企业 etc. in 高新区) the accounts engineer binds
# the demo enterprise user to.
DEMO_ENTERPRISE_CREDIT_CODE: str = DEMO_ENTERPRISE["credit_code"]
DEMO_ENTERPRISE_NAME: str = DEMO_ENTERPRISE["name"]
DEMO_LOGINS: list[tuple[str, str, str]] = []


def _rows(count: int, seed: int):
    yield [DEMO_ENTERPRISE.get(h, "") for h in HEADERS]
    for row in enterprise_rows(max(count - 1, 0), seed):
        yield [row[h] for h in HEADERS]


def load(enterprises: int = 5000, seed: int = 20261127) -> str:
    present = Enterprise.objects.count()
    if present >= enterprises and Enterprise.objects.filter(credit_code=DEMO_ENTERPRISE_CREDIT_CODE).exists():
        return f"市场主体库已有 {present} 家企业（未改动）"
    # No policy exists yet when the registry loads first: publishing matches set-based later.
    report = rows_import(
        headers=HEADERS,
        rows=lambda: _rows(enterprises, seed),
        source="演示数据",
        chunk_size=2500,
        rematch=False,
    )
    if not report.ok:
        raise RuntimeError("演示企业数据未通过校验：" + "; ".join(str(e) for e in report.errors[:5]))
    return (
        f"市场主体库：新增 {report.created} 家，更新 {report.updated} 家，共 {Enterprise.objects.count()} 家"
    )
