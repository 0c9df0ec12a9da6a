from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def yuan(value) -> str:
    """Money in yuan for people: "50万元", "1.2亿元", "8,000元"; "—" when unknown."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(value)
    except Exception:  # noqa: BLE001 - an expression string, shown as it is
        return str(value)
    if (get_language() or "").startswith("en"):
        return f"{amount.quantize(Decimal('1')):,} yuan"
    if abs(amount) >= Decimal("100000000"):
        return _("%(n)s亿元") % {"n": _trim(amount / Decimal("100000000"))}
    if abs(amount) >= Decimal("10000"):
        return _("%(n)s万元") % {"n": _trim(amount / Decimal("10000"))}
    return _("%(n)s元") % {"n": f"{amount.quantize(Decimal('1')):,}"}


@register.filter
def money(value) -> str:
    """The one money format of the pages: ``yuan`` (万元/亿元) with the exact figure in yuan on
    hover and for machines (``<data value="200000.00" title="200,000.00元">20万元</data>``).
    Exports write the exact figure (see ``money_exact``)."""
    shown = yuan(value)
    try:
        amount = Decimal(value)
    except Exception:  # noqa: BLE001 - unknown or an expression: shown as it is
        return conditional_escape(shown)
    return format_html(
        '<data class="money" value="{}" title="{}">{}</data>', amount, money_exact(amount), shown
    )


def money_text(value) -> str:
    """The money format in plain text (messages, SMS), where nothing can be hovered:
    "10万元（100,000.00元）"; in English the exact figure alone."""
    if value is None or value == "":
        return "—"
    if (get_language() or "").startswith("en"):
        return money_exact(value)
    return f"{yuan(value)}（{money_exact(value)}）"


def money_exact(value) -> str:
    """The exact figure for hover texts and exports: "200,000.00元" / "200,000.00 yuan"."""
    text = f"{Decimal(value).quantize(Decimal('0.01')):,}"
    if (get_language() or "").startswith("en"):
        return f"{text} yuan"
    return _("%(n)s元") % {"n": text}


# Where a profile value came from, as the registry records it (``source`` of tags and
# indicator values): machine names such as "画像", "demo-policies", "api:tax-bureau" are
# shown to the enterprise as what they mean.
_SOURCE_PREFIXES = (
    ("画像", gettext_noop("平台根据登记信息测算")),
    ("demo", gettext_noop("演示数据")),
    ("演示", gettext_noop("演示数据")),
    ("api:", gettext_noop("部门数据共享接口")),
    ("后台导入", gettext_noop("工作人员导入")),
    ("import", gettext_noop("登记数据导入")),
    ("admin", gettext_noop("工作人员录入")),
    ("declared", gettext_noop("企业自行申报")),
)
_MACHINE_NAME = re.compile(r"[A-Za-z0-9_.:/ -]+")


@register.filter
def data_source(value) -> str:
    """A registry source for people: "画像" → 平台根据登记信息测算, "demo-policies" → 演示数据,
    "api:…" → 部门数据共享接口; any other machine name → 部门数据共享; a name in words (such as
    "税务部门共享") as it is; "—" when there is none."""
    text = str(value or "").strip()
    if not text:
        return "—"
    for prefix, label in _SOURCE_PREFIXES:
        if text.startswith(prefix):
            return _(label)
    if _MACHINE_NAME.fullmatch(text):
        return _("部门数据共享")
    return text


def _trim(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.01')):,}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def days_left(value) -> int | None:
    """Whole days from today (Asia/Shanghai) to a deadline date; negative when past."""
    if not value:
        return None
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return (value - timezone.localdate()).days


@register.simple_tag(takes_context=True)
def url_with(context, **changes) -> str:
    """The current query string with some parameters replaced (``None``/"" removes one);
    used by pagination so that the filters stay in the URL."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
