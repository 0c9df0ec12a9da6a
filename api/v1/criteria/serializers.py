"""The drafting endpoint's request and answer (DESIGN §6, ``POST /api/v1/criteria/draft/``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.v1.common.fields import StrictCharField
from matching.criteria.drafting import MAX_TEXT, Draft


class DraftRequestSerializer(serializers.Serializer):
    # Not trimmed: the answer's spans are offsets into the text exactly as sent.
    text = StrictCharField(
        max_length=MAX_TEXT, trim_whitespace=False, label=_("政策原文"), help_text=_("一条条款或整篇政策文件")
    )

    def validate_text(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("请粘贴政策原文（一条条款或整篇文件）。"))
        return value


class SpanSerializer(serializers.Serializer):
    path = StrictCharField(help_text="条件的路径(all[0]、all[2].any[1])，或 award")
    start = serializers.IntegerField(min_value=0, help_text="起始字符位置(含)")
    end = serializers.IntegerField(min_value=0, help_text="结束字符位置(不含)")


class DraftSerializer(serializers.Serializer):
    criteria = serializers.JSONField(help_text="申报条件(§4 条件树，已通过校验)")
    award = serializers.JSONField(allow_null=True, help_text="奖补金额(已通过校验)，未识别时为 null")
    award_basis = serializers.ChoiceField(
        choices=["", "up_to"], allow_blank=True, help_text="原文写明“最高”时为 up_to(最高不超过)，否则为空"
    )
    spans = SpanSerializer(many=True, help_text="每个条件(及奖补金额)对应原文中的字符区间")
    unparsed = serializers.ListField(child=StrictCharField(), help_text="未能识别的句子")

    @staticmethod
    def answer(draft: Draft) -> dict:
        return {
            "criteria": draft.criteria,
            "award": draft.award,
            "award_basis": draft.award_basis,
            "spans": draft.spans,
            "unparsed": draft.unparsed,
        }
