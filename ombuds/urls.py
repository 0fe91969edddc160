from django.contrib import admin
from django.urls import include, path

from ombuds.api.urls import api
from ombuds.web.confirmations import confirm_account_email

admin.site.site_header = "Ombuds administration"
admin.site.site_title = "Ombuds"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Its page confirms, and sends what the account filed meanwhile: the web's, above accounts.
    path("accounts/confirm-email/<str:token>/", confirm_account_email, name="confirm_email"),
    path("accounts/", include("ombuds.accounts.urls")),
    path("api/v1/", api.urls),
    path("", include("ombuds.web.urls")),
]
