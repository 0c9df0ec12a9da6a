import csv
import io
import re
from datetime import date

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection

from enterprises.importing import enterprise_import_file
from enterprises.models import Enterprise, EnterpriseTag, IndicatorValue
from tests.factories.enterprises import credit_code

pytestmark = pytest.mark.django_db

HEADER = ["credit_code", "name", "district", "zone", "industry", "established_on", "registered_capital", "tags",
          "employees_2024", "revenue_2023", "revenue_2024"]  # fmt: skip


def _row(n, **kw):
    row = {"credit_code": credit_code(n), "name": f"企业{n}", "district": "金水区", "zone": "", "industry": "C3411",
           "established_on": "2019-03-01", "registered_capital": "1000000", "tags": "高新技术企业|2024-11-01|2027-10-31|是",
           "employees_2024": "50", "revenue_2023": "8000000", "revenue_2024": "9000000"}  # fmt: skip
    row.update(kw)
    return [row[h] for h in HEADER]


def _csv(tmp_path, rows, header=HEADER, name="e.csv", encoding="utf-8"):
    path = tmp_path / name
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_a_good_file_is_imported_with_indicators_tags_and_scale(tmp_path):
    path = _csv(tmp_path, [_row(1), _row(2, zone="航空港区", industry="6513")])
    report = enterprise_import_file(path=path)
    assert report.ok and report.written and (report.created, report.updated, report.unchanged) == (2, 0, 0)
    e = Enterprise.objects.get(credit_code=credit_code(2))
    assert (e.zone, e.industry, e.scale) == ("410173", "I6513", "small")
    assert IndicatorValue.objects.filter(enterprise=e).count() == 3
    tag = EnterpriseTag.objects.get(enterprise=e)
    assert (tag.tag.name, tag.recognized_on, tag.expires_on, tag.first_time) == (
        "高新技术企业",
        date(2024, 11, 1),
        date(2027, 10, 31),
        True,
    )


def test_bad_rows_are_reported_with_row_number_and_reason_and_nothing_is_written(tmp_path):
    # given a file whose rows 3-6 are each wrong in one way (row 1 is the header)
    rows = [
        _row(1),
        _row(2, credit_code="91410105MA00000010"),
        _row(3, district="火星区"),
        _row(4, revenue_2024="-100"),
        _row(5, established_on="2019年13月"),
        _row(6),
    ]
    path = _csv(tmp_path, rows)
    # when
    report = enterprise_import_file(path=path)
    # then
    found = {(e.row, e.field) for e in report.errors}
    assert found == {(3, "统一社会信用代码"), (4, "行政区划"), (5, "revenue.2024"), (6, "成立日期")}
    messages = {e.row: e.message for e in report.errors}
    assert "校验位" in messages[3] and "未知的行政区划" in messages[4]
    assert "不能为负数" in messages[5] and "无法识别" in messages[6]
    assert "第3行" in str(report.errors[0])
    assert not report.written and report.bad_rows == 4
    assert Enterprise.objects.count() == 0 and IndicatorValue.objects.count() == 0


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    path = _csv(tmp_path, [_row(n) for n in range(1, 6)])
    enterprise_import_file(path=path)
    stamps = dict(Enterprise.objects.values_list("credit_code", "updated_at"))
    value_stamps = set(IndicatorValue.objects.values_list("id", "updated_at", "value"))
    tags = set(EnterpriseTag.objects.values_list("id", "recognized_on"))
    # when
    report = enterprise_import_file(path=path)
    # then
    assert (report.created, report.updated, report.unchanged) == (0, 0, 5)
    assert dict(Enterprise.objects.values_list("credit_code", "updated_at")) == stamps
    assert set(IndicatorValue.objects.values_list("id", "updated_at", "value")) == value_stamps
    assert set(EnterpriseTag.objects.values_list("id", "recognized_on")) == tags


def test_a_changed_row_updates_only_that_enterprise(tmp_path):
    enterprise_import_file(path=_csv(tmp_path, [_row(1), _row(2)]))
    report = enterprise_import_file(
        path=_csv(tmp_path, [_row(1), _row(2, revenue_2024="9500000", tags="")], name="2.csv")
    )
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    e2 = Enterprise.objects.get(credit_code=credit_code(2))
    assert not e2.tags.exists()  # the file's empty tags cell is the truth
    assert (
        IndicatorValue.objects.get(enterprise=e2, indicator__code="revenue", period="2024").value == 9500000
    )


def test_chinese_headers_gbk_csv_and_an_indicator_without_the_letter_prefix(tmp_path):
    header = ["统一社会信用代码", "企业名称", "所属区县", "功能区", "行业代码", "成立日期", "注册资本(元)", "资质标签",
              "从业人员_2024", "营业收入(2023)", "营业收入2024"]  # fmt: skip
    path = _csv(tmp_path, [_row(1, zone="高新区")], header=header, encoding="gb18030")
    report = enterprise_import_file(path=path)
    assert report.ok, report.errors
    assert Enterprise.objects.get().zone == "410172"
    assert IndicatorValue.objects.count() == 3


def test_xlsx_files_are_read_with_native_dates_and_numbers(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    row = _row(1)
    row[5] = date(2019, 3, 1)
    row[8] = 50
    row[10] = 9000000.0
    ws.append(row)
    ws.append([None] * len(HEADER))  # blank rows are skipped
    path = tmp_path / "e.xlsx"
    wb.save(path)
    report = enterprise_import_file(path=path)
    assert report.ok and report.created == 1, report.errors
    assert Enterprise.objects.get().established_on == date(2019, 3, 1)


def test_unknown_columns_and_duplicate_codes_are_errors(tmp_path):
    report = enterprise_import_file(path=_csv(tmp_path, [_row(1)], header=[*HEADER[:-1], "revenu_2024"]))
    assert report.errors[0].row == 1 and "revenu_2024" in report.errors[0].message
    report = enterprise_import_file(
        path=_csv(tmp_path, [_row(1), _row(2), _row(1, name="又一次")], name="d.csv")
    )
    assert [(e.row, e.field) for e in report.errors] == [(4, "统一社会信用代码")]
    assert "与第2行重复" in report.errors[0].message
    assert Enterprise.objects.count() == 0


def test_unknown_tags_and_indicator_periods_that_do_not_fit(tmp_path):
    path = _csv(tmp_path, [_row(1, tags="高新技术企业;不存在的标签")])
    report = enterprise_import_file(path=path)
    assert [(e.row, e.field) for e in report.errors] == [(2, "资质标签")]
    assert "不存在的标签" in report.errors[0].message


def test_command_reports_bad_rows_and_exits_nonzero(tmp_path):
    path = _csv(tmp_path, [_row(1), _row(2, district="火星区")])
    err = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("import_enterprises", str(path), "--no-progress", stderr=err, stdout=io.StringIO())
    assert exc.value.code == 1
    assert "第3行 行政区划" in err.getvalue() and "未写入" in err.getvalue()
    assert Enterprise.objects.count() == 0


def test_command_dry_run_validates_without_writing(tmp_path):
    out = io.StringIO()
    call_command(
        "import_enterprises", str(_csv(tmp_path, [_row(1)])), "--dry-run", "--no-progress", stdout=out
    )
    assert "校验通过" in out.getvalue() and Enterprise.objects.count() == 0
    call_command("import_enterprises", str(_csv(tmp_path, [_row(1)])), "--no-progress", "--chunk-size", "1",
                 stdout=out)  # fmt: skip
    assert Enterprise.objects.count() == 1


def test_generated_file_imports_cleanly(tmp_path):
    path = tmp_path / "gen.csv"
    call_command("generate_enterprises", "--count", "120", "--out", str(path), "--with-demo", "--no-progress",
                 stdout=io.StringIO())  # fmt: skip
    report = enterprise_import_file(path=path, chunk_size=50)
    assert report.ok, report.errors[:3]
    assert report.created == 121
    scales = set(Enterprise.objects.values_list("scale", flat=True))
    assert {"micro", "small"} <= scales
    assert Enterprise.objects.values("district").distinct().count() >= 5


def test_a_chunk_mixing_new_and_existing_enterprises_stores_each_ones_values_and_tags(tmp_path):
    # given enterprise 1 already imported
    enterprise_import_file(path=_csv(tmp_path, [_row(1)], name="first.csv"))
    # when one chunk carries enterprise 1 changed (revenue, tag dates) and new enterprises 2 and 3
    rows = [
        _row(2, revenue_2024="7000000"),
        _row(1, revenue_2024="9500000", tags="高新技术企业|2024-12-01|2027-11-30|否"),
        _row(3, tags="", employees_2024=""),
    ]
    report = enterprise_import_file(path=_csv(tmp_path, rows, name="second.csv"))
    # then the new ones got their own values and tags, the existing one was merged
    assert (report.created, report.updated, report.unchanged) == (2, 1, 0)
    e1, e2, e3 = (Enterprise.objects.get(credit_code=credit_code(n)) for n in (1, 2, 3))
    revenue = {e: IndicatorValue.objects.get(enterprise=e, indicator__code="revenue", period="2024").value
               for e in (e1, e2)}  # fmt: skip
    assert revenue == {e1: 9500000, e2: 7000000}
    assert IndicatorValue.objects.filter(enterprise=e1).count() == 3
    assert IndicatorValue.objects.filter(enterprise=e2).count() == 3
    assert IndicatorValue.objects.filter(enterprise=e3).count() == 2
    assert list(EnterpriseTag.objects.filter(enterprise=e1).values_list("recognized_on", "first_time")) == [
        (date(2024, 12, 1), False)
    ]
    assert EnterpriseTag.objects.filter(enterprise=e2).count() == 1
    assert not EnterpriseTag.objects.filter(enterprise=e3).exists()


def test_the_write_pass_analyzes_the_tables_each_time_the_rows_written_double(tmp_path, monkeypatch):
    # given a threshold of 2 rows and chunks of 1 row
    from enterprises import importing, writer

    monkeypatch.setattr(importing, "ANALYZE_FIRST_AT", 2)
    calls = []
    monkeypatch.setattr(writer, "tables_analyze", lambda: calls.append(Enterprise.objects.count()))
    # when 9 rows are imported
    report = enterprise_import_file(path=_csv(tmp_path, [_row(n) for n in range(1, 10)]), chunk_size=1)
    # then the tables were analyzed after 2, 4 and 8 rows
    assert report.created == 9
    assert calls == [2, 4, 8]


@pytest.mark.django_db
def test_scales_refresh_works_when_the_size_indicators_are_not_defined():
    # given a registry whose size indicators (employees, revenue, total assets) were removed
    from enterprises.models import IndicatorDefinition
    from enterprises.writer import SCALE_CODES, scales_refresh
    from tests.factories.enterprises import EnterpriseFactory

    e = EnterpriseFactory(industry="C3411", scale="large")
    IndicatorDefinition.objects.filter(code__in=SCALE_CODES).delete()
    # when the scale is re-derived, then it falls back to unknown instead of failing on SQL
    assert scales_refresh([e.pk]) == 1
    e.refresh_from_db()
    assert e.scale in ("", None)


def test_bench_import_prints_the_rate_the_peak_memory_and_the_machines_load():
    out = io.StringIO()
    call_command("bench_import", "--count", "60", "--chunk-size", "25", stdout=out)
    text = out.getvalue()
    # the first import and the unchanged re-import, each with its rate and peak memory
    assert "first import: 60 rows in" in text and "re-import (unchanged): 60 rows in" in text
    assert text.count("rows/s") == 2 and text.count("peak RSS") >= 2
    assert text.count("database backend") == 2  # its private memory on a local PostgreSQL
    if connection.vendor == "postgresql":  # (read from /proc: this machine's server)
        peaks = [int(m) for m in re.findall(r"database backend peak private memory (\d+) MB", text)]
        assert len(peaks) == 2 and all(p > 0 for p in peaks), text
    assert Enterprise.objects.count() == 60
    assert f"registry now: 60 enterprises, {IndicatorValue.objects.count()} indicator values" in text
    assert "machine at start: load average" in text and "machine at the end: load average" in text
