"""What an award's amount means (DESIGN §4): the kind of an award.

The amount expression decides most of it: a plain number is a fixed sum (定额), cases are
tiers (分档), an expression that reads the enterprise's data is a share of it (按比例,
possibly capped). What the expression cannot say is whether the figure is a ceiling that
the department sets lower case by case (最高不超过) or a prize decided by review (评审择优):
the policy declares that (``Policy.award_basis``), and such an amount is never counted as
what an enterprise is sure to receive.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .amount import AwardSyntaxError, inputs, parse_amount


class AwardKind(models.TextChoices):
    FIXED = "fixed", _("定额")
    FORMULA = "formula", _("按比例")
    TIERED = "tiered", _("分档")
    UP_TO = "up_to", _("最高不超过")
    COMPETITIVE = "competitive", _("评审择优")


# What a policy declares (the rest is derived; "" = the expression decides): the amount is a
# ceiling, 「最高可申」, never in what an enterprise is sure to receive.
DECLARED_KINDS = (AwardKind.UP_TO, AwardKind.COMPETITIVE)


def _reads_data(expression: Any) -> bool:
    try:
        return bool(inputs(parse_amount(expression)))
    except AwardSyntaxError:
        return False


def award_kind(award: dict | None, basis: str = "") -> str | None:
    """The kind of ``award`` (None: no award). ``basis`` is the policy's declaration
    (``up_to`` or ``competitive``), which wins; otherwise the expression decides."""
    if not award:
        return None
    if basis in DECLARED_KINDS:
        return str(basis)
    if award.get("cases"):
        return AwardKind.TIERED.value
    if _reads_data(award.get("amount")):
        return AwardKind.FORMULA.value
    return AwardKind.FIXED.value


def award_certain(kind: str | None) -> bool:
    """An eligible enterprise receives the computed amount (counted in 「确定可享」): every
    kind but the ceilings (最高不超过, 评审择优)."""
    return kind not in DECLARED_KINDS


def award_kind_label(kind: str | None) -> str:
    return str(AwardKind(kind).label) if kind in AwardKind.values else ""
