"""Factories of the applications app: bank accounts, matches to feed 免申即享, ledger rows.

Applications themselves are made through ``applications.services.application_submit`` in
tests (the real path), so there is no factory that writes one directly.
"""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory

from applications.models import BankAccount, Grant, GrantSource, GrantStatus

from .enterprises import EnterpriseFactory
from .policies import PolicyFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


class BankAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BankAccount
        django_get_or_create = ("enterprise",)

    enterprise = factory.SubFactory(EnterpriseFactory)
    account_name = factory.LazyAttribute(lambda o: o.enterprise.name)
    bank_name = "中国工商银行郑州分行营业部"
    account_number = factory.Sequence(lambda n: f"17020{n:014d}")
    source = "税务部门共享"


def match_create(*, policy, enterprise, status: str = "eligible", matched_at: datetime | None = None):
    """A match row as the pipeline writes it (composite key, no foreign-key constraints)."""
    from matching.models import Match

    return Match.objects.create(
        policy=policy,
        enterprise=enterprise,
        policy_version=policy.version,
        status=status,
        matched_at=matched_at or datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI),
    )


class GrantFactory(factory.django.DjangoModelFactory):
    """A ledger row written directly: for constraint tests only (services make real ones)."""

    class Meta:
        model = Grant

    policy = factory.SubFactory(PolicyFactory, auto_grant=True, status="published")
    department = factory.LazyAttribute(lambda o: o.policy.department)
    enterprise = factory.SubFactory(EnterpriseFactory)
    district = factory.LazyAttribute(lambda o: o.enterprise.district)
    period = "2026"
    exclusive_group = factory.LazyAttribute(lambda o: o.policy.exclusive_group)
    source = GrantSource.AUTO
    amount = Decimal("100000.00")
    status = GrantStatus.AWAITING_ACCOUNT
    eligible_since = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    granted_at = datetime(2026, 3, 5, 9, 0, tzinfo=SHANGHAI)
