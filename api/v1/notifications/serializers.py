from rest_framework import serializers


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    policy = serializers.IntegerField(source="policy_id")
    title = serializers.CharField(source="policy.title")
    reason = serializers.CharField()
    channel = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
