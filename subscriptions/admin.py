from django.contrib import admin

from .models import CalendarFeed, Subscription, SubscriptionAlert


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("email", "enterprise", "q", "confirmed_at", "unsubscribed_at", "created_at")
    list_filter = ("confirmed_at", "unsubscribed_at")
    search_fields = ("email", "q")
    raw_id_fields = ("enterprise",)
    readonly_fields = ("token", "feed_token", "confirmed_at", "created_at")


@admin.register(SubscriptionAlert)
class SubscriptionAlertAdmin(admin.ModelAdmin):
    list_display = ("subscription", "policy", "delivery", "created_at")
    raw_id_fields = ("subscription", "policy", "delivery")


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "created_at")
    raw_id_fields = ("enterprise",)
    readonly_fields = ("token",)
