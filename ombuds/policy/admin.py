from django.contrib import admin

from ombuds.policy.models import PolicyVersion


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "digest", "source", "first_loaded_at"]
    readonly_fields = ["digest", "name", "source", "text", "first_loaded_at"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
