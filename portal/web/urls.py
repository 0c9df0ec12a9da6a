from django.urls import path

from . import calculator_views, export_views, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("policy/", views.policy_list, name="policy_list"),
    path("policy/<int:pk>/", views.policy_detail, name="policy_detail"),
    path("policy/export.<str:fmt>", export_views.policy_list_export, name="policy_list_export"),
    path("calculator/", calculator_views.calculator, name="calculator"),
    path("calculator/r/<str:token>/", calculator_views.calculator_result, name="calculator_result"),
    path("calculator/r/<str:token>/print/", calculator_views.calculator_print, name="calculator_print"),
    path("my/policies/", views.my_policies, name="my_policies"),
    path("my/policies/export.<str:fmt>", export_views.my_policies_export, name="my_policies_export"),
    path("my/notifications/", views.inbox, name="inbox"),
    path("my/notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("my/notifications/messages/<int:pk>/read/", views.inbox_message_read, name="inbox_message_read"),
    path("my/notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("my/notifications/unsubscribe/", views.unsubscribe_all, name="unsubscribe_all"),
    path("my/notifications/preferences/", views.preferences, name="preferences"),
    path("my/enterprise/", views.my_enterprise, name="my_enterprise"),
]
