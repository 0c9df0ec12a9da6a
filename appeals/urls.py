from django.urls import path

from . import views

app_name = "appeals"

urlpatterns = [
    path("", views.my_cases, name="mine"),
    path("new/", views.case_new, name="new"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/files/<int:attachment_id>/", views.case_attachment, name="attachment"),
    path("arrears/", views.my_arrears, name="my_arrears"),
    path("arrears/new/", views.arrears_new, name="arrears_new"),
    path("arrears/<int:pk>/", views.arrears_detail, name="arrears_detail"),
    path("arrears/<int:pk>/files/<int:evidence_id>/", views.arrears_evidence, name="arrears_evidence"),
    path("staff/", views.staff_queue, name="staff_queue"),
    path("staff/log/", views.staff_log, name="staff_log"),
    path("staff/<int:pk>/", views.staff_case, name="staff_case"),
    path("staff/arrears/", views.staff_arrears_list, name="staff_arrears"),
    path("staff/arrears/<int:pk>/", views.staff_arrears_detail, name="staff_arrears_detail"),
]
