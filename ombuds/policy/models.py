from django.db import models


class PolicyVersion(models.Model):
    """A policy text as it was loaded; cases record the version they were filed under."""

    digest = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=500)
    text = models.TextField()
    first_loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-first_loaded_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.digest[:12]})"
