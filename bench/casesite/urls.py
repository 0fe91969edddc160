from django.urls import include, path

from bench.casesite.views import queue_page

urlpatterns = [
    path("bench/queue/<slug:code>/", queue_page, name="bench_queue"),
    path("", include("ombuds.urls")),
]
