"""Writes for the 诉求 loop and arrears. Views, the admin and the API call these; every step
is recorded as an event with who and when (``steps``). Re-exported here so callers import
``appeals.services``."""

from .arrears import (
    arrears_confirm_settled,
    arrears_plan_agree,
    arrears_repayment_record,
    arrears_report,
    arrears_verify,
)
from .cases import (
    BAD_RATING,
    DEFAULT_TIME_LIMIT_DAYS,
    case_accept,
    case_answer,
    case_close,
    case_confirm,
    case_due_on,
    case_raise,
    case_rate,
    case_return_visit,
    case_route,
    case_start,
    case_transfer,
    cases_remind_and_escalate,
)

__all__ = [
    "BAD_RATING",
    "DEFAULT_TIME_LIMIT_DAYS",
    "arrears_confirm_settled",
    "arrears_plan_agree",
    "arrears_repayment_record",
    "arrears_report",
    "arrears_verify",
    "case_accept",
    "case_answer",
    "case_close",
    "case_confirm",
    "case_due_on",
    "case_raise",
    "case_rate",
    "case_return_visit",
    "case_route",
    "case_start",
    "case_transfer",
    "cases_remind_and_escalate",
]
