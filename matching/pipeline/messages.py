"""What a push says: the policy, why this enterprise qualifies, the amount (「确定可享」 or
「最高可申」, by the award's kind: ``matching.criteria.award_kind``), the deadline, the data to
supply for a "possible" match, the next step (在线申报 with its link, or 免申即享: nothing to
apply for) and a link to the policy page. A digest opens with its totals (``awards_totals``).
The saved-search alerts (``subscriptions``) say the same through ``PushContent``."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from matching.channels import Message
from matching.criteria import evaluate
from matching.criteria.award_kind import award_certain, award_kind_label
from matching.criteria.evaluate import missing_labels
from matching.eligibility import awards_totals
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
    """确定可享 (定额, 按比例, 分档: what an eligible enterprise receives) or 最高可申 (a ceiling:
    最高不超过, 评审择优), with the kind unless ``short``."""
    head = "确定可享" if award_certain(kind) else "最高可申"
    return f"{head}（{award_kind_label(kind)}）" if kind and not short else head


def next_step(policy) -> tuple[str, str]:
    """What to do next about ``policy``: (text, link). 免申即享 needs no application; an open
    or upcoming window has its 在线申报 link; a closed one has nothing left to do."""
    if policy.auto_grant:
        return "免申即享，无需申报：符合条件的企业经公示后直接兑现", ""
    if policy.is_closed():
        return "申报已结束", ""
    if policy.is_open():
        return "在线申报", absolute_url("applications:apply", policy.pk)
    start = policy.apply_start.isoformat() if policy.apply_start else ""
    return (f"{start} 起可在线申报" if start else "在线申报"), absolute_url("applications:apply", policy.pk)


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
    next_step: str = ""
    next_link: str = ""

    def as_text(self) -> str:
        lines = [f"【{self.title}】{self.headline}"]
        if self.why:
            lines.append("符合理由：" + "；".join(self.why))
        if self.missing:
            lines.append("请补充：" + "、".join(self.missing))
        if self.reason != "lost":
            head = _amount_head(self.kind)
            if self.reason == "possible":  # nothing is certain until the missing data is in
                head = head.replace("确定可享", "可能可享")
            lines.append(f"{head}：{_yuan(self.amount)}")
            if self.deadline:
                lines.append(f"申报截止：{self.deadline}")
            if self.next_step:
                lines.append(f"下一步：{self.next_step}" + (f" {self.next_link}" if self.next_link else ""))
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
            "next_step": self.next_step or None,
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
    content.next_step, content.next_link = next_step(policy)
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


@dataclass
class _Totalled:
    """A digest's item as ``awards_totals`` reads it."""

    policy: object
    amount: Decimal | None
    closed: bool
    counted: bool = False
    counted_max: bool = False


def single_message(notification: Notification) -> Message:
    c = push_content(notification)
    short = f"【政策找企业】{c.headline}：{c.title}"
    if c.reason != "lost":
        short += f"，{_amount_head(c.kind, short=True)}{_yuan(c.amount)}"
        if c.deadline:
            short += f"，{c.deadline}截止"
        if c.next_step and not c.next_link:
            short += f"，{c.next_step.split('：')[0]}"
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
    if gained:
        totals = awards_totals(
            _Totalled(policy=n.policy, amount=c.amount, closed=n.policy.is_closed())
            for n, c in zip(notifications, contents, strict=True)
            if c.reason != "lost"
        )
        text = f"确定可享合计：{_yuan(totals.certain)}；最高可申合计：{_yuan(totals.most)}\n\n{text}"
    # 我的政策 lists the policies the enterprise now qualifies for; when the digest only says
    # what was lost, the inbox lists those notices.
    link = absolute_url("web:my_policies" if gained else "web:inbox")
    short = f"【政策找企业】{subject}，详情 {link}"
    return Message(
        subject=subject, text=text, link=link, data={"items": [c.as_data() for c in contents]}, short=short
    )
