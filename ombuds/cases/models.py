import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from ombuds.accounts.models import Department
from ombuds.directory.models import Listing, Member, Order, Store
from ombuds.evidence.models import Evidence
from ombuds.policy.models import PolicyVersion

_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_reference(prefix: str) -> str:
    """A short, unguessable reference people can read out: no 0/O, 1/I."""
    return prefix + "-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted — under consideration"
    IN_REVIEW = "in_review", "In review"
    WAITING = "waiting", "Waiting for information"
    DECIDED = "decided", "Decided"
    APPEALED = "appealed", "Appeal under consideration"
    CLOSED = "closed", "Closed"
    # Order disputes, while the buyer and the seller settle it between them (`ombuds.disputes`).
    NEGOTIATING = "negotiating", "Between the buyer and the seller"
    SETTLED = "settled", "Settled"
    CANCELLED = "cancelled", "Cancelled by the buyer"


OPEN_STATUSES = (
    CaseStatus.SUBMITTED,
    CaseStatus.IN_REVIEW,
    CaseStatus.WAITING,
    CaseStatus.NEGOTIATING,
)
QUEUED_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.APPEALED)
# An agent has work to do on the case: its time limit runs (unless a party is asked).
WORKED_STATUSES = (*OPEN_STATUSES, CaseStatus.APPEALED)


class Case(models.Model):
    """What an agent works: one complaint, or every report about the same target."""

    # Every index of this table is written again when an agent claims a case (the claim changes
    # indexed columns): the table has none that another index already begins with, and none
    # for columns nothing looks up (`reference` is unique by a constraint, which has no
    # pattern-matching twin).
    reference = models.CharField(max_length=20)
    type_key = models.CharField(max_length=50)
    kind = models.CharField(max_length=10)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, db_index=False)
    status = models.CharField(
        max_length=12, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED
    )
    respondent = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_against",
        db_index=False,
    )
    target_key = models.CharField(max_length=120)
    listing = models.ForeignKey(Listing, on_delete=models.SET_NULL, null=True, blank=True)
    store = models.ForeignKey(Store, on_delete=models.SET_NULL, null=True, blank=True)
    order = models.ForeignKey(Order, on_delete=models.SET_NULL, null=True, blank=True)
    reporter_count = models.PositiveIntegerField(default=1)
    urgent = models.BooleanField(default=False)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    event_count = models.PositiveIntegerField(default=0)
    last_event_hash = models.CharField(max_length=64, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    breached = models.BooleanField(default=False)
    deadline_warned = models.BooleanField(default=False)
    paused_at = models.DateTimeField(
        null=True, blank=True, help_text="The clock stops while a party is asked for information."
    )
    waiting_for = models.CharField(max_length=12, blank=True)
    respondent_answer_due_at = models.DateTimeField(null=True, blank=True)
    respondent_answered_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decided_cases",
        db_index=False,
    )
    outcome = models.CharField(max_length=50, blank=True)
    statement = models.JSONField(default=dict, blank=True)
    previous_case = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="later_cases",
        help_text="The earlier case a complainant submitted again about.",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["department", "status", "due_at"], name="case_queue"),
            # The queue in the exact order claims take it, for the cases waiting in it only.
            models.Index(
                F("department"),
                F("breached").desc(),
                F("due_at"),
                F("reporter_count").desc(),
                F("id"),
                name="case_queue_order",
                condition=Q(assigned_to__isnull=True, status__in=["submitted", "appealed"]),
            ),
            models.Index(
                fields=["department"],
                name="case_breached",
                condition=Q(
                    breached=True, status__in=["submitted", "in_review", "waiting", "appealed"]
                ),
            ),
            models.Index(fields=["respondent", "status"], name="case_respondent"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="case_reference_unique"),
            models.UniqueConstraint(
                fields=["type_key", "target_key"],
                condition=Q(kind="report", status__in=["submitted", "in_review", "waiting"]),
                name="one_open_report_case_per_target",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_worked(self) -> bool:
        return self.status in WORKED_STATUSES


class Complaint(models.Model):
    """One filing by one complainant: a complaint, a report or a dispute."""

    reference = models.CharField(max_length=20)  # unique by a constraint, as Case's
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints"
    )
    type_key = models.CharField(max_length=50)
    complainant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    complainant_member = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="complaints_filed"
    )
    complainant_email = models.EmailField()
    complainant_name = models.CharField(max_length=200, blank=True)
    respondent = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target_key = models.CharField(max_length=120)
    target_input = models.TextField()
    listings = models.ManyToManyField(Listing, blank=True, related_name="complaints")
    answers = models.JSONField(default=dict)
    evidence = models.ManyToManyField(Evidence, blank=True, related_name="complaints")
    agreement_accepted_at = models.DateTimeField(null=True, blank=True)
    via = models.CharField(max_length=10, default="web")
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="Visitors confirm their email before a report is filed."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="complaint_reference_unique")
        ]
        indexes = [
            # The console's search lists the newest matches first.
            models.Index(fields=["created_at"], name="complaint_created"),
            models.Index(
                fields=["complainant", "type_key", "target_key"], name="complaint_dup_user"
            ),
            models.Index(
                fields=["complainant_email", "type_key", "target_key"], name="complaint_dup_email"
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class CaseEvent(models.Model):
    """One entry of a case's append-only history; each holds the hash of the one before."""

    # Looked up by (case, seq): the unique constraint's index serves it.
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", db_index=False)
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=40)
    # The actor is part of the event's hash: a person who acted on a case stays (deactivate
    # them instead), or the history would read as tampered with.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, null=True, blank=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["case_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.kind}"


class IdempotencyKey(models.Model):
    """A retried request with the same key gets the complaint the first one made."""

    scope = models.CharField(max_length=100)
    key = models.CharField(max_length=200)
    request_digest = models.CharField(max_length=64)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_unique")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class InformationRequest(models.Model):
    """An agent's question to one party, with a deadline; the case clock waits meanwhile."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="information_requests")
    party = models.CharField(max_length=12)
    question = models.TextField()
    deadline = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(
        null=True, blank=True, help_text="When the party was told its answer is due soon."
    )

    def __str__(self) -> str:
        return f"{self.case} → {self.party}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None and self.expired_at is None


class PartyStatement(models.Model):
    """What a party says on a case: the respondent's answer, or an answer to a question."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="statements")
    party = models.CharField(max_length=12)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The complainant's filing the statement was made through: which reporter answered, and
    # for a visitor (no account, so no author) what ties the statement to them.
    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, null=True, blank=True, related_name="statements"
    )
    request = models.ForeignKey(
        InformationRequest, on_delete=models.SET_NULL, null=True, blank=True
    )
    text = models.TextField()
    evidence = models.ManyToManyField(Evidence, blank=True, related_name="statements")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.party} on {self.case}"


class Sanction(models.Model):
    """A measure against the respondent or a listing; lifting it undoes it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="sanctions")
    kind = models.CharField(max_length=50)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="sanctions")
    listing = models.ForeignKey(
        Listing, on_delete=models.PROTECT, null=True, blank=True, related_name="sanctions"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.listing or self.member}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class Appeal(models.Model):
    """The respondent's request to review a decision; decided by another agent."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="appeals")
    appellant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appeals"
    )
    reason = models.TextField()
    opened_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    result = models.CharField(max_length=12, blank=True)
    statement = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Appeal on {self.case}"
