from django.urls import path

from ombuds.web import filing, notifications, reports, views

urlpatterns = [
    path("", views.home, name="home"),
    path("types/", views.complaint_types, name="complaint_types"),
    path("report/", filing.triage, name="triage"),
    path("report/<slug:type_key>/", filing.file, name="file"),
    path("reports/confirm/<str:token>/", filing.confirm_report, name="confirm_report"),
    path("complaints/<str:reference>/", reports.complaint_page, name="complaint"),
    path("my-reports/", reports.my_reports, name="my_reports"),
    path("evidence/<uuid:public_id>/", reports.evidence_download, name="evidence"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/read/", notifications.read_all, name="notifications_read_all"),
    path(
        "notifications/<int:notification_id>/open/",
        notifications.open_notification,
        name="notification_open",
    ),
]
