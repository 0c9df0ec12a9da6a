"""Pages of the applications app: the enterprise's (apply, correct, grants, one-click account
confirmation) and the officials' (review queue, auto-grant batches, payments, figures).
Views check who may act and call one service; the services check again."""

from .enterprise import apply, correct, detail, file_download, my_applications, withdraw
from .grants import (
    autogrant_overview,
    autogrant_policy,
    grant_confirm,
    grant_detail,
    grant_received,
    my_grants,
    proposal_detail,
    proposal_exclude,
)
from .notice import (
    missed_report,
    notice_batch,
    notice_list,
    objection_file_download,
    objection_resolve,
    objection_status,
    objections,
)
from .officials import figures, payments, payments_export, payments_import, review_action, review_queue

__all__ = [
    "objections",
    "objection_status",
    "objection_resolve",
    "objection_file_download",
    "notice_list",
    "notice_batch",
    "missed_report",
    "apply",
    "autogrant_overview",
    "autogrant_policy",
    "correct",
    "detail",
    "figures",
    "file_download",
    "grant_confirm",
    "grant_detail",
    "grant_received",
    "my_applications",
    "my_grants",
    "payments",
    "payments_export",
    "payments_import",
    "proposal_detail",
    "proposal_exclude",
    "review_action",
    "review_queue",
    "withdraw",
]
