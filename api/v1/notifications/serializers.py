from rest_framework import serializers

from portal.links import absolute_url


class NotificationSerializer(serializers.Serializer):
    """One row of the enterprise's inbox (``inbox.selectors.InboxItem``): a match push or a
    message about an application, appeal or grant."""

    id = serializers.IntegerField()
    source = serializers.ChoiceField(
        choices=["notification", "message"],
        help_text="notification：匹配推送；message：申报、诉求、兑现消息。标记已读时以 ?source= 传回。",
    )
    kind = serializers.CharField(help_text="match、application、grant 或 case")
    policy = serializers.IntegerField(source="policy_id", allow_null=True)
    title = serializers.CharField()
    body = serializers.CharField()
    link = serializers.SerializerMethodField()
    reason = serializers.CharField(help_text="匹配推送的原因(new_match、possible、lost、revised)；消息为空")
    channel = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)

    def get_link(self, item) -> str:
        return absolute_url(item.link) if item.link else ""
