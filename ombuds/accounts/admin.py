from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from ombuds.accounts.models import ApiToken, Department, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "member", "is_operator", "rights_holder_verified_at"]
    list_filter = ["is_operator", "departments", "is_active"]
    search_fields = ["username", "email", "member__member_id"]
    raw_id_fields = ["member"]
    filter_horizontal = ["departments", "groups", "user_permissions"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            "Ombuds",
            {
                "fields": (
                    "member",
                    "email_verified_at",
                    "departments",
                    "is_operator",
                    "rights_holder_verified_at",
                )
            },
        ),
    )


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "active"]
    readonly_fields = ["code"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "kind", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["kind"]
    readonly_fields = ["prefix", "digest", "kind", "user", "created_at", "last_used_at"]

    def has_add_permission(self, request: object) -> bool:
        return False
