from django.urls import path

from . import recovery_views, second_factor_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("bind/", views.bind, name="bind"),
    # second factor (second_factor_views); the /accounts/2fa/ prefix is exempt from its middleware
    path("2fa/", second_factor_views.verify, name="otp_verify"),
    path("2fa/setup/", second_factor_views.setup, name="otp_setup"),
    path("2fa/recovery/", second_factor_views.recovery, name="otp_recovery"),
    # 忘记密码 (recovery_views)
    path("password/reset/", recovery_views.password_reset_request, name="password_reset"),
    path("password/reset/sent/", recovery_views.password_reset_sent, name="password_reset_sent"),
    path("password/reset/code/", recovery_views.password_reset_code, name="password_reset_code"),
    path("password/reset/link/<str:token>/", recovery_views.password_reset_link, name="password_reset_link"),
    path("password/reset/new/", recovery_views.password_reset_new, name="password_reset_new"),
    path("password/reset/done/", recovery_views.password_reset_done, name="password_reset_done"),
]
