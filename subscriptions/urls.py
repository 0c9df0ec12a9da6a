from django.urls import path

from . import views

app_name = "subscriptions"

urlpatterns = [
    path("subscriptions/new/", views.subscribe, name="subscribe"),
    path("subscriptions/confirm/<str:signed>/", views.confirm, name="confirm"),
    path("subscriptions/manage/<str:token>/", views.manage, name="manage"),
    path("subscriptions/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("subscriptions/resubscribe/<str:token>/", views.resubscribe, name="resubscribe"),
    path("subscriptions/feed/<str:token>.ics", views.search_feed, name="search_feed"),
    path("my/subscriptions/", views.mine, name="mine"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/regenerate/", views.calendar_regenerate, name="calendar_regenerate"),
    path("calendar/feed/<str:token>.ics", views.enterprise_feed, name="enterprise_feed"),
]
