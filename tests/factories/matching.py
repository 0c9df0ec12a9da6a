"""Factories of the matching pipeline: matches, outbox rows, deliveries, preferences."""

import factory
from django.utils import timezone

from matching.models import (
    ChannelPreference,
    Delivery,
    Match,
    Notification,
    WebhookSubscription,
)
from tests.factories.enterprises import EnterpriseFactory
from tests.factories.policies import PolicyFactory


class MatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Match

    policy = factory.SubFactory(PolicyFactory, status="published")
    enterprise = factory.SubFactory(EnterpriseFactory)
    policy_version = 1
    status = "eligible"
    matched_at = factory.LazyFunction(timezone.now)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    policy = factory.SubFactory(PolicyFactory, status="published")
    enterprise = factory.SubFactory(EnterpriseFactory)
    policy_version = 1
    channel = "inapp"
    reason = "new_match"
    created_at = factory.LazyFunction(timezone.now)


class ChannelPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChannelPreference
        django_get_or_create = ("enterprise",)

    enterprise = factory.SubFactory(EnterpriseFactory)
    email = True
    email_address = factory.Sequence(lambda n: f"boss{n}@example.com")
    sms = False
    sms_phone = "13812345678"
    digest = True


class WebhookSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookSubscription

    enterprise = factory.SubFactory(EnterpriseFactory)
    url = "http://127.0.0.1:9/hook"  # nothing listens there: no network in tests
    events = factory.LazyFunction(lambda: ["match.created"])


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    enterprise = factory.SubFactory(EnterpriseFactory)
    channel = "email"
    recipient = "boss@example.com"
    next_attempt_at = factory.LazyFunction(timezone.now)
