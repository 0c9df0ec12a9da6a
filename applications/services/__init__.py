"""Writes of the applications app (keyword-only, atomic). Re-exported here so callers
import ``applications.services``."""

from .applications import application_resubmit, application_submit, application_withdraw
from .escalation import applications_escalate_overdue
from .grants import (
    auto_grant_policy_ids,
    exclusive_group_resolve,
    grant_account_confirm,
    grant_batch_confirm,
    grant_from_token,
    grant_proposal_exclude,
    grant_proposals_generate,
    grant_receipt_confirm,
    grant_token_make,
)
from .notice import (
    amount_dispute,
    missed_report,
    notice_until_for,
    objection_file,
    objection_resolve,
    payment_blocks,
)
from .payments import (
    ImportResult,
    instructions_for_export,
    payment_instructions_create,
    payment_instructions_export,
    payment_results_import,
    payment_results_preview,
)
from .review import application_accept, application_approve, application_reject, application_return

__all__ = [
    "amount_dispute",
    "missed_report",
    "notice_until_for",
    "objection_file",
    "objection_resolve",
    "payment_blocks",
    "application_accept",
    "application_approve",
    "application_reject",
    "application_resubmit",
    "application_return",
    "application_submit",
    "application_withdraw",
    "applications_escalate_overdue",
    "auto_grant_policy_ids",
    "exclusive_group_resolve",
    "grant_account_confirm",
    "grant_batch_confirm",
    "grant_from_token",
    "grant_proposal_exclude",
    "grant_proposals_generate",
    "grant_receipt_confirm",
    "grant_token_make",
    "ImportResult",
    "instructions_for_export",
    "payment_instructions_create",
    "payment_instructions_export",
    "payment_results_import",
    "payment_results_preview",
]
