from django.urls import path

from matching import views

app_name = "matching"

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
