from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property

from ombuds.directory.models import Member


class Department(models.Model):
    """A team of agents; the policy names them and routes each complaint type to one."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in: a member, a visitor who files reports, an agent or an operator."""

    member = models.OneToOneField(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="user"
    )
    email_verified_at = models.DateTimeField(null=True, blank=True)
    is_operator = models.BooleanField(
        default=False, help_text="Operators configure Ombuds and administer the directory."
    )
    rights_holder_verified_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when the user's intellectual property rights have been verified.",
    )
    departments = models.ManyToManyField(Department, blank=True, related_name="agents")

    @cached_property
    def department_codes(self) -> frozenset[str]:
        if not self.pk:
            return frozenset()
        return frozenset(self.departments.filter(active=True).values_list("code", flat=True))

    @property
    def is_agent(self) -> bool:
        return bool(self.department_codes)

    @property
    def is_member(self) -> bool:
        return self.member_id is not None

    @property
    def is_verified_rights_holder(self) -> bool:
        return self.rights_holder_verified_at is not None

    @property
    def acts_as_operator(self) -> bool:
        return self.is_operator or self.is_superuser

    @property
    def roles(self) -> list[str]:
        roles = []
        if self.is_member:
            roles.append("member")
        if self.is_verified_rights_holder:
            roles.append("rights holder")
        if self.is_agent:
            roles.append("agent")
        if self.acts_as_operator:
            roles.append("operator")
        return roles or ["visitor"]


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    class Kind(models.TextChoices):
        USER = "user", "User"
        SERVICE = "service", "Marketplace service"

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="api_tokens"
    )
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="service", user__isnull=True)
                | models.Q(kind="user", user__isnull=False),
                name="token_user_matches_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class RateCounter(models.Model):
    """Requests counted in one fixed window, for one scope and identity (user, IP, address).

    Every rate limit of Ombuds counts here (see ombuds.accounts.ratelimit): log-in
    neighbours such as sign-ups and password resets, and above them filings and uploads.
    """

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_ends_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
