from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("apply/<int:policy_id>/", views.apply, name="apply"),
    path("mine/", views.my_applications, name="mine"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/correct/", views.correct, name="correct"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/review/", views.review_action, name="review_action"),
    path("files/<int:pk>/", views.file_download, name="file"),
    path("grants/mine/", views.my_grants, name="my_grants"),
    path("grants/<int:pk>/", views.grant_detail, name="grant_detail"),
    path("grants/<int:pk>/received/", views.grant_received, name="grant_received"),
    path("grants/confirm/<str:token>/", views.grant_confirm, name="grant_confirm"),
    path("review/", views.review_queue, name="review_queue"),
    path("autogrant/", views.autogrant_overview, name="autogrant"),
    path("autogrant/<int:policy_id>/", views.autogrant_policy, name="autogrant_policy"),
    path("autogrant/proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("autogrant/proposals/<int:pk>/exclude/", views.proposal_exclude, name="proposal_exclude"),
    path("payments/", views.payments, name="payments"),
    path("payments/export.<str:fmt>", views.payments_export, name="payments_export"),
    path("payments/import/", views.payments_import, name="payments_import"),
    path("figures/", views.figures, name="figures"),
    # 免申即享 信息公示 and 异议处置 (public pages: no login)
    path("notice/", views.notice_list, name="notice_list"),
    path("notice/<int:pk>/", views.notice_batch, name="notice_batch"),
    path("notice/objections/<str:reference>/<str:key>/", views.objection_status, name="objection_status"),
    path("grants/missed/", views.missed_report, name="missed_report"),
    path("objections/files/<int:pk>/", views.objection_file_download, name="objection_file"),
    path("autogrant/objections/", views.objections, name="objections"),
    path("autogrant/objections/<int:pk>/resolve/", views.objection_resolve, name="objection_resolve"),
]
