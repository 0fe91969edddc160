from django.urls import include, path

from bench.benchsite.views import bare

urlpatterns = [
    path("bench/bare", bare, name="bench_bare"),
    path("", include("ombuds.urls")),
]
