from django.contrib import admin
from django.urls import include, path

from ombuds.api.urls import api

admin.site.site_header = "Ombuds administration"
admin.site.site_title = "Ombuds"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("ombuds.accounts.urls")),
    path("api/v1/", api.urls),
    path("", include("ombuds.web.urls")),
]
