from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from applications.models import Grant, PaymentInstruction


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = PaymentInstruction
        fields = ["reference", "amount", "status", "paid_on", "failure_reason", "created_at"]


class GrantSerializer(serializers.ModelSerializer):
    policy = serializers.IntegerField(source="policy_id", label=_("政策"))
    title = serializers.CharField(source="policy.title", label=_("政策标题"))
    department = serializers.CharField(source="department.code", label=_("部门代码"))
    status_display = serializers.CharField(source="get_status_display", label=_("状态说明"))
    payments = PaymentSerializer(many=True, read_only=True)
    days_to_money = serializers.SerializerMethodField(label=_("从符合条件到资金到账(天)"))

    class Meta:
        model = Grant
        fields = [
            "id", "policy", "title", "department", "source", "period", "amount", "status", "status_display",
            "eligible_since", "granted_at", "account_confirmed_at", "paid_on", "received_confirmed_at",
            "days_to_money", "payments",
        ]  # fmt: skip

    def get_days_to_money(self, grant: Grant) -> int | None:
        if not grant.paid_on:
            return None
        return (grant.paid_on - timezone.localtime(grant.eligible_since).date()).days
