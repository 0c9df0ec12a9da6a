from django.urls import path

from . import views

app_name = "liaison"

urlpatterns = [
    path("", views.my_enterprises, name="mine"),
    path("coverage/", views.coverage, name="coverage"),
    path("<int:enterprise_id>/briefing/", views.briefing, name="briefing"),
    path("<int:enterprise_id>/visits/new/", views.visit_new, name="visit_new"),
]
