from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from ombuds.notify.models import OutboxEmail, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from ombuds.notify.webhooks import EVENT_TYPES, resend


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "description", "active", "created_at"]
    readonly_fields = ["created_at"]
    fields = ["url", "description", "events", "active", "secret", "created_at"]

    def get_form(self, request: HttpRequest, obj: object = None, **kwargs: object):  # type: ignore[no-untyped-def]
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["events"].help_text = (
            "A JSON list, e.g. " + str(list(EVENT_TYPES)) + ("; [] for every event.")
        )
        form.base_fields[
            "secret"
        ].help_text = "Give this secret to the marketplace's receiver to verify signatures."
        return form


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["at", "finished_at", "status_code", "error", "duration_ms"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "created_at",
    ]
    list_filter = ["status", "event_type", "endpoint"]
    search_fields = ["message_id", "event_type"]
    readonly_fields = [
        "endpoint", "message_id", "event_type", "payload", "status", "attempts",
        "next_attempt_at", "last_status_code", "last_error", "created_at", "delivered_at",
    ]  # fmt: skip
    inlines = [WebhookAttemptInline]
    actions = ["resend_deliveries"]

    @admin.action(description="Resend the selected deliveries now")
    def resend_deliveries(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        for delivery in queryset:
            resend(delivery)
        self.message_user(
            request, f"{queryset.count()} delivery(ies) queued again.", messages.SUCCESS
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = ["to", "template", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "template"]
    search_fields = ["to"]
    readonly_fields = [f.name for f in OutboxEmail._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
