from rest_framework import serializers

from api.v1.common.fields import StrictCharField
from appeals.models import Case, CaseKind, Category


class CaseSerializer(serializers.ModelSerializer):
    credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)
    department = serializers.CharField(
        source="department.code", read_only=True, default=None, allow_null=True
    )
    policy = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    application = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    rating = serializers.IntegerField(source="rating.score", read_only=True, default=None, allow_null=True)
    rating_label = serializers.CharField(
        source="rating.get_score_display", read_only=True, default=None, allow_null=True,
        help_text="好差评: 非常满意 / 满意 / 基本满意 / 不满意 / 非常不满意",
    )  # fmt: skip

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "credit_code",
            "kind",
            "category",
            "title",
            "description",
            "policy",
            "application",
            "source",
            "department",
            "status",
            "reply",
            "due_on",
            "created_at",
            "answered_at",
            "closed_at",
            "rating",
            "rating_label",
        ]
        read_only_fields = fields


class CaseCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CaseKind.choices, default=CaseKind.PROBLEM)
    category = serializers.ChoiceField(choices=Category.choices)
    title = StrictCharField(max_length=200)
    description = StrictCharField()
    policy = serializers.IntegerField(required=False, allow_null=True)
    application = serializers.IntegerField(
        required=False, allow_null=True, help_text="本企业的申报 id: 诉求分办到办理该申报的部门"
    )
    credit_code = StrictCharField(required=False, max_length=40, help_text="官员代企业登记时必填")


class ConfirmSerializer(serializers.Serializer):
    resolved = serializers.BooleanField()
    note = StrictCharField(required=False, allow_blank=True, default="")


class RateSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = StrictCharField(required=False, allow_blank=True, default="")
