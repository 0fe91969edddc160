from django.urls import path

from ombuds.cases.links import COMPLAINT_ROUTE, CONFIRM_REPORT_ROUTE
from ombuds.web import console, filing, notifications, reports, views

urlpatterns = [
    path("", views.home, name="home"),
    path("types/", views.complaint_types, name="complaint_types"),
    path("report/", filing.triage, name="triage"),
    path("report/<slug:type_key>/", filing.file, name="file"),
    path(CONFIRM_REPORT_ROUTE, filing.confirm_report, name="confirm_report"),
    path(COMPLAINT_ROUTE, reports.complaint_page, name="complaint"),
    path(
        "complaints/<str:reference>/appeal/",
        reports.party_appeal,
        name="complaint_appeal",
    ),
    path(
        "complaints/<str:reference>/<slug:name>/",
        reports.party_answer,
        name="complaint_answer",
    ),
    path("my-reports/", reports.my_reports, name="my_reports"),
    path("evidence/<uuid:public_id>/", reports.evidence_download, name="evidence"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/read/", notifications.read_all, name="notifications_read_all"),
    path(
        "notifications/<int:notification_id>/open/",
        notifications.open_notification,
        name="notification_open",
    ),
    # The agent console.
    path("console/", console.console, name="console"),
    path("console/search/", console.search, name="console_search"),
    path("console/queue/<slug:code>/", console.queue, name="console_queue"),
    path("console/queue/<slug:code>/claim/", console.claim_next, name="console_claim_next"),
    path("console/cases/<str:reference>/", console.case_page, name="console_case"),
    path(
        "console/cases/<str:reference>/<slug:name>/",
        console.case_action,
        name="console_case_action",
    ),
]
