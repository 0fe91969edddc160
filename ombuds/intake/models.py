from django.db import models


class RateCounter(models.Model):
    """Requests counted in one fixed window, for one scope and identity (user or IP)."""

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_ends_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
