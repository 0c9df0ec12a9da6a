"""What a push says: the policy, why this enterprise qualifies, the amount, the
deadline, the data to supply for a "possible" match, and a link to the policy page."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from matching.channels import Message
from matching.criteria import evaluate
from matching.criteria.award_kind import award_certain, award_kind_label
from matching.criteria.evaluate import missing_labels
from matching.models import Match, Notification
from matching.profiles import profile_load
from portal.links import absolute_url

logger = logging.getLogger(__name__)

_REASON_TEXT = {
    "new_match": "您的企业符合政策申报条件",
    "possible": "您的企业可能符合政策申报条件，请补充数据",
    "lost": "您的企业已不再符合政策条件",
    "revised": "政策已修订",
}


def policy_url(policy_id: int) -> str:
    return absolute_url("web:policy_detail", policy_id)


def _amount_head(kind: str | None, *, short: bool = False) -> str:
    """预计 (定额, 按比例, 分档: what an eligible enterprise receives) or 最高可申 (a ceiling:
    最高不超过, 评审择优), with the kind unless ``short``."""
    head = "最高可申" if not award_certain(kind) else ("预计" if short else "预计金额")
    return f"{head}（{award_kind_label(kind)}）" if kind and not short else head


def _yuan(amount: Decimal | None) -> str:
    if amount is None:
        return "待核定"
    if amount >= 10000:
        return f"{(amount / Decimal(10000)).normalize():f}万元"
    return f"{amount.normalize():f}元"


@dataclass
class PushContent:
    policy_id: int
    title: str
    reason: str
    headline: str
    why: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    amount: Decimal | None = None
    kind: str | None = None  # the award's kind (``Policy.award_kind``)
    deadline: str = ""
    link: str = ""

    def as_text(self) -> str:
        lines = [f"【{self.title}】{self.headline}"]
        if self.why:
            lines.append("符合理由：" + "；".join(self.why))
        if self.missing:
            lines.append("请补充：" + "、".join(self.missing))
        if self.reason != "lost":
            lines.append(f"{_amount_head(self.kind)}：{_yuan(self.amount)}")
            if self.deadline:
                lines.append(f"申报截止：{self.deadline}")
        lines.append(f"详情：{self.link}")
        return "\n".join(lines)

    def as_data(self) -> dict:
        return {
            "policy_id": self.policy_id,
            "title": self.title,
            "reason": self.reason,
            "why": self.why,
            "missing": self.missing,
            "amount": None if self.amount is None else str(self.amount),
            "award_kind": self.kind,
            "deadline": self.deadline or None,
            "url": self.link,
        }


def push_content(notification: Notification, *, match: Match | None = None) -> PushContent:
    policy = notification.policy
    content = PushContent(
        policy_id=policy.pk,
        title=policy.title,
        reason=notification.reason,
        headline=_REASON_TEXT.get(notification.reason, ""),
        deadline=policy.apply_end.isoformat() if policy.apply_end else "",
        link=policy_url(policy.pk),
        kind=policy.award_kind,
    )
    if match is None:
        match = Match.objects.filter(policy_id=policy.pk, enterprise_id=notification.enterprise_id).first()
    if match is not None:
        content.amount = match.amount
    if notification.reason == "lost":
        return content
    try:
        as_of = timezone.localdate()
        ev = evaluate(
            policy.criteria or {}, profile_load(notification.enterprise_id, as_of=as_of), as_of=as_of
        )
        content.why = [str(r) for r in (ev.reasons or [])][:8]
        content.missing = missing_labels(ev.missing)
    except Exception:  # the explanation is a courtesy; the push goes out without it
        logger.warning("no explanation for %s", notification, exc_info=True)
        if match is not None and match.missing:
            content.missing = missing_labels(match.missing)
    return content


def single_message(notification: Notification) -> Message:
    c = push_content(notification)
    short = f"【政策找企业】{c.headline}：{c.title}"
    if c.reason != "lost":
        short += f"，{_amount_head(c.kind, short=True)}{_yuan(c.amount)}"
        if c.deadline:
            short += f"，{c.deadline}截止"
    short += f"。详情 {c.link}"
    return Message(
        subject=f"{c.headline}：{c.title}",
        text=c.as_text(),
        link=c.link,
        data={"items": [c.as_data()]},
        short=short,
    )


def digest_message(notifications: list[Notification]) -> Message:
    contents = [push_content(n) for n in notifications]
    gained = [c for c in contents if c.reason != "lost"]
    subject = f"您有 {len(gained)} 项新匹配政策" if gained else f"{len(contents)} 项政策匹配变化"
    text = "\n\n".join(c.as_text() for c in contents)
    # 我的政策 lists the policies the enterprise now qualifies for; when the digest only says
    # what was lost, the inbox lists those notices.
    link = absolute_url("web:my_policies" if gained else "web:inbox")
    short = f"【政策找企业】{subject}，详情 {link}"
    return Message(
        subject=subject, text=text, link=link, data={"items": [c.as_data() for c in contents]}, short=short
    )
