"""django-import-export resource for the admin: Excel (xlsx) and CSV, dry-run preview, row errors.

Importing delegates to ``enterprises.importing.rows_import`` — the same validation and the
same set-based, all-or-nothing write as ``manage.py import_enterprises`` — so the admin and
the command accept exactly the same files and say the same things about bad rows.
Exported files use the Chinese column headers and import again unchanged.
"""

from __future__ import annotations

from collections import OrderedDict

from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import fields, resources
from import_export.results import Result, RowResult

from enterprises.cleaning import tags_to_text
from enterprises.importing import HEADER_ALIASES, rows_import
from enterprises.models import Enterprise, IndicatorDefinition
from enterprises.synthetic import INDICATORS

EXPORT_CORE = ["credit_code", "name", "district", "zone", "industry", "established_on", "registered_capital",
               "address", "legal_representative", "contact_name", "contact_phone", "contact_email"]  # fmt: skip


def _label(name: str) -> str:
    return str(Enterprise._meta.get_field(name).verbose_name)


class EnterpriseResource(resources.ModelResource):
    tags = fields.Field(column_name="资质标签", readonly=True)
    scale = fields.Field(column_name="企业规模", attribute="get_scale_display", readonly=True)
    needs_review = fields.Field(column_name="待人工核验", readonly=True)

    class Meta:
        model = Enterprise
        import_id_fields = ["credit_code"]
        fields = [*EXPORT_CORE, "tags", "scale", "needs_review"]
        export_order = [*EXPORT_CORE, "tags", "scale", "needs_review"]
        skip_unchanged = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for name in EXPORT_CORE:
            self.fields[name].column_name = _label(name)
        year = timezone.localdate().year
        self._indicator_columns: dict[str, tuple[str, str]] = {}
        for code in INDICATORS:
            for y in range(year - 3, year):
                column = f"{code}_{y}"
                self.fields[column] = fields.Field(column_name=column, readonly=True)
                self._indicator_columns[column] = (code, str(y))

    def get_export_order(self):
        return (*super().get_export_order(), *self._indicator_columns)

    def filter_export(self, queryset, **kwargs):
        return queryset.prefetch_related("tags__tag", "indicator_values__indicator")

    def export_field(self, field, instance, **kwargs):
        name = self.get_field_name(field)
        if name in self._indicator_columns:
            code, period = self._indicator_columns[name]
            for value in instance.indicator_values.all():
                if value.indicator.code == code and value.period == period:
                    return value.text_value or (value.value.normalize() if value.value is not None else "")
            return ""
        if name == "tags":
            return tags_to_text(
                [
                    {
                        "name": t.tag.name,
                        "recognized_on": t.recognized_on,
                        "expires_on": t.expires_on,
                        "first_time": t.first_time,
                    }
                    for t in instance.tags.all()
                ]  # fmt: skip
            )
        if name == "needs_review":
            return "是" if instance.needs_review else ""
        return super().export_field(field, instance, **kwargs)

    # --- import: one validation, one write path -----------------------------------------------
    def import_data_inner(
        self, dataset, dry_run, raise_errors, using_transactions, collect_failed_rows, **kwargs
    ):
        result = self.get_result_class()()
        headers = [str(h or "") for h in (dataset.headers or [])]
        result.diff_headers = headers
        result.total_rows = len(dataset)
        rows = [list(r) for r in dataset]
        outcome: dict[int, tuple[str, str]] = {}

        def on_written(items):
            for number, code, kind in items:
                outcome[number] = (code, kind)

        report = rows_import(
            headers=headers, rows=lambda: iter(rows), source=f"后台导入:{kwargs.get('file_name', '')}"[:60],
            on_written=on_written,
        )  # fmt: skip
        if not report.ok:
            by_row: dict[int, dict[str, list[str]]] = OrderedDict()
            for error in report.errors:
                by_row.setdefault(error.row, {}).setdefault(error.field, []).append(error.message)
            for number, errors in by_row.items():
                values = (
                    OrderedDict(zip(headers, rows[number - 2], strict=False))
                    if number >= 2
                    else OrderedDict()
                )
                # Keyed by the Chinese label; "第N行" is the spreadsheet row (header = row 1).
                messages = {f"第{number}行 {label}": msgs for label, msgs in errors.items()}
                result.append_invalid_row(number, values, ValidationError(messages))
                result.totals[RowResult.IMPORT_TYPE_INVALID] += 1
            return result
        changed_codes = [code for code, kind in outcome.values() if kind != "skip"]
        instances = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=changed_codes)}
        for number in sorted(outcome):
            code, kind = outcome[number]
            row_result = self.get_row_result_class()()
            row_result.import_type = {
                "new": RowResult.IMPORT_TYPE_NEW,
                "update": RowResult.IMPORT_TYPE_UPDATE,
            }.get(kind, RowResult.IMPORT_TYPE_SKIP)
            instance = instances.get(code)
            row_result.instance = instance
            row_result.object_id = instance.pk if instance else None
            row_result.object_repr = str(instance) if instance else code
            row_result.diff = ["" if v is None else str(v) for v in rows[number - 2]]
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
        return result

    def get_import_fields(self):
        return [self.fields[n] for n in EXPORT_CORE]


def import_format_help() -> str:
    """Short Chinese description of the accepted columns, for the admin import page."""
    indicator_names = "、".join(f"{d.name}（{d.code}）" for d in IndicatorDefinition.objects.order_by("code"))
    core = "、".join(f"{aliases[1]}（{aliases[0]}）" for aliases in HEADER_ALIASES.values())
    return (
        f"第一行为表头。可用列：{core}；指标按“指标代码_期间”列出，如 revenue_2024、营业收入_2024，"
        f"已定义的指标：{indicator_names}。资质标签写作“名称|认定日期|有效期至|首次”，多个用分号分隔。"
        "任何一行有误则整批不写入。"
    )


__all__ = ["EnterpriseResource", "Result", "import_format_help"]
