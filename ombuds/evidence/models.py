import uuid

from django.conf import settings
from django.db import models


def _stored_name(instance: "Evidence", filename: str) -> str:
    """A random name: the original name is kept in `safe_name`, never used on disk."""
    token = uuid.uuid4().hex
    return f"evidence/{token[:2]}/{token[2:4]}/{token}"


class Evidence(models.Model):
    """An uploaded file, inspected and stored; attached once, to a filing or a party's statement."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to=_stored_name, max_length=200)
    safe_name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    format = models.CharField(max_length=10)
    mime = models.CharField(max_length=100)
    archive_members = models.JSONField(default=list, blank=True)
    type_key = models.CharField(max_length=50, help_text="The complaint type whose rules it met.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    upload_session = models.CharField(
        max_length=64, blank=True, db_index=True, help_text="Visitors' uploads: their session."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    attached_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When it was attached to a filing or a statement; it is never attached twice.",
    )

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.safe_name
