from django.urls import path

from . import views

app_name = "sso"

urlpatterns = [
    path("", views.SsoStartView.as_view(), name="start"),
    path("callback/", views.SsoCallbackView.as_view(), name="callback"),
]
