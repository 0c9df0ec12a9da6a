from django.urls import path

from . import views

app_name = "audittrail"

urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.export_xlsx, name="export"),
]
