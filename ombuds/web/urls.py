from django.urls import path

from ombuds.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("types/", views.complaint_types, name="complaint_types"),
]
