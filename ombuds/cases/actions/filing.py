"""Filing: a submission checked, filed into a case (a new one, or the open case of the same
target for reports), the complainant and the respondent told, the marketplace sent its webhook.

`submit` is the one entry point for a whole submission as a shell received it (the form's
values, files uploaded before and with it, who sends it): it limits the rate, stores the files,
checks everything and files, and returns the filing or every refusal, field by field. Forms and
the API hand it what they were sent and render what it returns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from ombuds.accounts.email_confirmation import confirmation_link
from ombuds.accounts.models import Department, User
from ombuds.cases import events
from ombuds.cases.deadlines import due_time
from ombuds.cases.extensions import for_kind
from ombuds.cases.history import record_event
from ombuds.cases.links import absolute, complaint_path, confirm_report_path
from ombuds.cases.models import OPEN_STATUSES, Case, Complaint, IdempotencyKey, new_reference
from ombuds.cases.visitors import complaint_link, complaint_to_confirm, confirmation_token
from ombuds.evidence.inspection import EvidenceError
from ombuds.evidence.models import Evidence
from ombuds.evidence.uploads import (
    SERVICE_OWNER,
    NamedUpload,
    UploadOwner,
    attach,
    gather_evidence,
)
from ombuds.formats import when
from ombuds.intake.checks import EVIDENCE, CheckedSubmission, Filer, Submission, check_submission
from ombuds.intake.errors import FieldError, SubmissionRefused
from ombuds.intake.ratelimit import (
    RateRefusal,
    check_filing_rate,
    check_service_upload_rate,
    check_upload_rate,
)
from ombuds.intake.text import unusable_character
from ombuds.notify.inbox import notify_user
from ombuds.notify.outbox import queue_email
from ombuds.notify.webhooks import queue_webhook
from ombuds.policy.loader import get_policy
from ombuds.policy.schema import ComplaintType
from ombuds.policy.versions import current_policy_version

VISITOR_EMAIL = "visitor_email"
PREVIOUS_CASE = "previous_case"
IDEMPOTENCY_KEY = "Idempotency-Key"


@dataclass(frozen=True)
class Filed:
    complaint: Complaint
    joined_existing_case: bool
    awaiting_confirmation: bool


# --- the whole submission ----------------------------------------------------------------------


@dataclass
class FilingForm:
    """What was sent: the type's fields, the files uploaded before (by id) and with it."""

    type_key: str
    target: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    agreement: bool = False
    evidence_ids: Sequence[str] = ()
    uploads: Sequence[NamedUpload] = ()
    previous_case: str = ""
    visitor_email: str = ""


@dataclass(frozen=True)
class Submitter:
    """Who sends it: the filer (None: a visitor, known by the form's email), whose uploads it
    may attach, through which channel, and the address it came from (None: not limited by
    address, as for the marketplace's own service)."""

    filer: Filer | None
    owner: UploadOwner
    via: str = "web"
    ip: str | None = None


@dataclass(frozen=True)
class Idempotency:
    """A retried request with the same key gets what the first one filed."""

    scope: str
    key: str
    digest: str


@dataclass
class FilingResult:
    filed: Filed | None = None
    errors: list[FieldError] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)  # accepted: kept for the next try
    retry_after: int | None = None
    replayed: bool = False


def submit(
    form: FilingForm, submitter: Submitter, idempotency: Idempotency | None = None
) -> FilingResult:
    policy = get_policy()
    complaint_type = policy.types.get(form.type_key)
    if complaint_type is None:
        message = f"There is no complaint type {form.type_key!r}."
        return FilingResult(errors=[FieldError("type", "unknown_type", message)])
    if idempotency is not None:
        try:
            earlier = _earlier_filing(idempotency)
        except SubmissionRefused as refused:
            return FilingResult(errors=refused.errors)
        if earlier is not None:
            return FilingResult(filed=_as_filed(earlier), replayed=True)
    filer = submitter.filer
    refusal = check_filing_rate(
        user_id=filer.user.pk if filer and filer.user else None, ip=submitter.ip
    ) or upload_rate_refusal(submitter.owner, submitter.ip, len(form.uploads))
    if refusal is not None:
        kept, _ = _gathered(submitter.owner, complaint_type, form.type_key, form.evidence_ids, ())
        error = FieldError("__all__", "rate_limited", refusal.message)
        return FilingResult(errors=[error], evidence=kept, retry_after=refusal.retry_after)
    attempt = _Attempt(form, submitter, complaint_type)
    try:
        if idempotency is None:
            return FilingResult(filed=attempt(), evidence=attempt.evidence)
        filed, replayed = _file_once(idempotency, attempt)
    except SubmissionRefused as refused:
        return FilingResult(errors=refused.errors, evidence=attempt.evidence)
    return FilingResult(filed=filed, evidence=attempt.evidence, replayed=replayed)


class _Attempt:
    """One try at filing a form: its files stored at once; the files it names by id, who files
    and the rest checked when called, inside the idempotent transaction when there is one (so
    that a concurrent retry finds the files attached only after it has found its key taken)."""

    def __init__(self, form: FilingForm, submitter: Submitter, complaint_type: ComplaintType):
        self.form, self.submitter, self.complaint_type = form, submitter, complaint_type
        self.uploaded, self.upload_errors = _gathered(
            submitter.owner, complaint_type, form.type_key, (), form.uploads
        )
        self.evidence = list(self.uploaded)

    def __call__(self) -> Filed:
        form, complaint_type = self.form, self.complaint_type
        named, errors = _gathered(
            self.submitter.owner, complaint_type, form.type_key, form.evidence_ids, ()
        )
        self.evidence = [*named, *self.uploaded]
        errors += self.upload_errors
        filer = self.submitter.filer
        if filer is None:
            filer, visitor_errors = _visitor(form.visitor_email)
            errors += visitor_errors
        previous = None
        if form.previous_case:
            previous = case_to_submit_again(filer.user, form.previous_case, form.type_key)
            if previous is None:
                errors.append(FieldError(
                    PREVIOUS_CASE, "previous_case_invalid",
                    f"{form.previous_case} is not a decided {complaint_type.label.lower()} of "
                    "yours: give the CASE-... reference of the case you submit again, or leave "
                    "it out.",
                ))  # fmt: skip
        submission = Submission(
            type_key=form.type_key, target=form.target, answers=form.answers,
            evidence=self.evidence, agreement=form.agreement,
        )  # fmt: skip
        if errors:
            raise SubmissionRefused(errors + _other_problems(submission, filer, errors))
        return file_complaint(
            submission=submission, filer=filer, via=self.submitter.via, previous_case=previous
        )


def upload_rate_refusal(owner: UploadOwner, ip: str | None, files: int) -> RateRefusal | None:
    """Files uploaded with a form count against the uploader's limits, as uploads through the
    API do: per user and address, or per service token."""
    if owner.session.startswith(SERVICE_OWNER):
        return check_service_upload_rate(
            token=owner.session.removeprefix(SERVICE_OWNER), files=files
        )
    user_id = getattr(owner.user, "pk", None)
    return check_upload_rate(user_id=user_id, ip=ip, files=files)


def _gathered(
    owner: UploadOwner,
    complaint_type: ComplaintType,
    type_key: str,
    ids: Sequence[str],
    uploads: Sequence[NamedUpload],
) -> tuple[list[Evidence], list[FieldError]]:
    gathered = gather_evidence(
        owner, type_key=type_key, type_label=complaint_type.label, ids=ids, uploads=uploads
    )
    return gathered.evidence, [_evidence_error(p) for p in gathered.problems]


def _evidence_error(problem: EvidenceError) -> FieldError:
    details = {"file": problem.filename} if problem.filename else {}
    return FieldError(EVIDENCE, problem.code, problem.message, details)


def _visitor(email: str) -> tuple[Filer, list[FieldError]]:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        message = (
            "Enter your email address: we send a link to confirm it, and the answer goes there."
        )
        return Filer(email=""), [FieldError(VISITOR_EMAIL, "invalid_email", message)]
    return Filer(email=email.lower()), []


def _other_problems(
    submission: Submission, filer: Filer, errors: list[FieldError]
) -> list[FieldError]:
    """With something refused already, the other checks still run, so every problem is told at
    once (and the files' own, when some file was refused, only once)."""
    try:
        check_submission(get_policy(), submission, filer)
    except SubmissionRefused as refused:
        skip_evidence = any(e.field == EVIDENCE for e in errors)
        return [
            e for e in refused.errors
            if e not in errors and not (skip_evidence and e.field == EVIDENCE)
        ]  # fmt: skip
    return []


def case_to_submit_again(user: Any, reference: str, type_key: str) -> Case | None:
    """The decided case a complainant submits again with new information: one of this type
    on which the user was a complainant, no longer open."""
    reference = (reference or "").strip().upper()
    if (
        not reference
        or unusable_character(reference)
        or not getattr(user, "is_authenticated", False)
    ):
        return None
    return (
        Case.objects.filter(reference=reference, type_key=type_key, complaints__complainant=user)
        .exclude(status__in=OPEN_STATUSES)
        .first()
    )


# --- idempotency -------------------------------------------------------------------------------


def _earlier_filing(idempotency: Idempotency) -> Complaint | None:
    """The complaint an earlier request with this key filed, if any."""
    record = (
        IdempotencyKey.objects.filter(scope=idempotency.scope, key=idempotency.key)
        .select_related("complaint")
        .first()
    )
    if record is None:
        return None
    if record.request_digest != idempotency.digest:
        raise SubmissionRefused([FieldError(
            IDEMPOTENCY_KEY, "idempotency_key_reused",
            "This Idempotency-Key was used for a different request. Use a new key for a new "
            "complaint; retry with the same key only to resend the very same request.",
        )])  # fmt: skip
    if record.complaint is None:
        message = "A request with this key is in progress."
        raise SubmissionRefused(
            [FieldError(IDEMPOTENCY_KEY, "idempotency_key_in_progress", message)]
        )
    return record.complaint


def _as_filed(complaint: Complaint) -> Filed:
    return Filed(complaint, joined_existing_case=False, awaiting_confirmation=not complaint.case_id)


def _file_once(idempotency: Idempotency, attempt: Callable[[], Filed]) -> tuple[Filed, bool]:
    """File under an idempotency key: the key's unique row decides which request files.

    The key is inserted first, in the transaction that files, so a concurrent retry waits on it
    (PostgreSQL: the unique index; SQLite: the write lock) and then replays; a refused request
    rolls its key back, so a corrected retry with the same key can still file.
    """
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(
                scope=idempotency.scope, key=idempotency.key, request_digest=idempotency.digest
            )
            filed = attempt()
            record.complaint = filed.complaint
            record.save(update_fields=["complaint"])
        return filed, False
    except IntegrityError:
        complaint = _earlier_filing(idempotency)
        if complaint is None:
            raise
        return _as_filed(complaint), True


# --- filing a checked submission ---------------------------------------------------------------


def find_duplicate(checked: CheckedSubmission, filer: Filer) -> Complaint | None:
    """An open complaint of the same complainant, type and target."""
    same = Complaint.objects.filter(type_key=checked.type_key, target_key=checked.target_key)
    same = (
        same.filter(complainant=filer.user)
        if filer.user
        else same.filter(complainant__isnull=True, complainant_email=filer.email.lower())
    )
    still_open = Q(case__status__in=OPEN_STATUSES) | Q(case__isnull=True, confirmed_at__isnull=True)
    return same.filter(still_open).only("reference").first()


def _serialize_same_filings(checked: CheckedSubmission, filer: Filer) -> None:
    """Two identical filings at once must not both pass the duplicate check.

    SQLite runs write transactions one at a time (IMMEDIATE); PostgreSQL takes a transaction
    lock on the complainant, type and target.
    """
    if connection.vendor == "postgresql":
        who = f"user:{filer.user.pk}" if filer.user else f"email:{filer.email.lower()}"
        key = f"{who}|{checked.type_key}|{checked.target_key}"
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


def duplicate_error(duplicate: Complaint) -> FieldError:
    return FieldError(
        "target",
        "duplicate_complaint",
        f"You already filed this: complaint {duplicate.reference} about the same target is "
        "still open. Add new information to it instead of filing again.",
        {"duplicate": duplicate.reference, "url": complaint_path(duplicate.reference)},
    )


def file_complaint(
    *, submission: Submission, filer: Filer, via: str = "web", previous_case: Case | None = None
) -> Filed:
    """Check and file a submission; reports by visitors wait for their email confirmation.

    `previous_case` links a submission made again, with new information, to the decided
    case it follows.
    """
    policy = get_policy()
    checked = check_submission(policy, submission, filer)
    with transaction.atomic():
        _serialize_same_filings(checked, filer)
        duplicate = find_duplicate(checked, filer)
        if duplicate is not None:
            raise SubmissionRefused([duplicate_error(duplicate)])
        extension = for_kind(checked.complaint_type.kind)
        if extension is not None and extension.before_filing is not None:
            refused = extension.before_filing(checked, filer)
            if refused:
                raise SubmissionRefused(refused)
        now = timezone.now()
        if not attach(checked.evidence, now):
            raise SubmissionRefused([FieldError(
                EVIDENCE, "evidence_not_found",
                "A file was attached to another filing meanwhile: upload it again.",
            )])  # fmt: skip
        complaint = _create_complaint(checked, filer, via, now)
        complaint.previous_case = previous_case  # type: ignore[attr-defined]
        if not filer.email_confirmed:
            if filer.user is None:
                _queue_visitor_confirmation(complaint)
            else:
                _queue_account_confirmation(complaint, filer.user)
            return Filed(complaint, joined_existing_case=False, awaiting_confirmation=True)
        joined = _file_into_case(complaint, checked.complaint_type, actor=filer.user)
    return Filed(complaint, joined_existing_case=joined, awaiting_confirmation=False)


def _create_complaint(
    checked: CheckedSubmission, filer: Filer, via: str, now: datetime
) -> Complaint:
    complaint = Complaint.objects.create(
        reference=new_reference("CMP"),
        type_key=checked.type_key,
        complainant=filer.user,
        complainant_member=filer.member,
        complainant_email=filer.email.lower(),
        complainant_name=filer.name,
        respondent=checked.respondent,
        target_key=checked.target_key,
        target_input=checked.target_input,
        answers=checked.answers,
        agreement_accepted_at=now if checked.complaint_type.requires_agreement else None,
        via=via,
        confirmed_at=now if filer.email_confirmed else None,
    )
    if checked.listings:
        Complaint.listings.through.objects.bulk_create(
            [Complaint.listings.through(complaint=complaint, listing=x) for x in checked.listings]
        )
    if checked.evidence:
        Complaint.evidence.through.objects.bulk_create(
            [Complaint.evidence.through(complaint=complaint, evidence=x) for x in checked.evidence]
        )
    complaint.first_listing = checked.listings[0] if checked.listings else None  # type: ignore[attr-defined]
    return complaint


def _file_into_case(complaint: Complaint, complaint_type: ComplaintType, *, actor: Any) -> bool:
    """Attach a confirmed complaint to a case: a new one, or the open case of its target."""
    case = _open_report_case(complaint) if complaint_type.kind == "report" else None
    joined = case is not None
    if case is None:
        try:
            with transaction.atomic():
                case = _new_case(complaint, complaint_type)
        except IntegrityError:
            case = _open_report_case(complaint)
            if case is None:
                raise
            joined = True
    complaint.case = case
    complaint.save(update_fields=["case"])
    if joined:
        Case.objects.filter(pk=case.pk).update(reporter_count=F("reporter_count") + 1)
        case.refresh_from_db(fields=["reporter_count", "event_count", "last_event_hash"])
        data: events.EventData = events.ReporterJoined(
            complaint=complaint.reference, reporters=case.reporter_count
        )
        record_event(case, data, actor=actor, complaint=complaint)
    else:
        data = events.Filed(
            complaint=complaint.reference, type=complaint.type_key,
            department=complaint_type.department, due_at=case.due_at,
            respondent_answer_due_at=case.respondent_answer_due_at,
        )  # fmt: skip
        record_event(case, data, actor=actor, complaint=complaint, at=case.created_at)
    extension = for_kind(complaint_type.kind)
    if not joined and extension is not None and extension.on_filed is not None:
        extension.on_filed(case, complaint, complaint_type, actor)
    if extension is None or not extension.sends_own_notices:
        _queue_receipt(complaint, case)
        if not joined and case.respondent is not None:
            _queue_respondent_notice(case, complaint, complaint_type)
    queue_webhook("complaint.created", complaint_event_data(complaint, case, complaint_type))
    return joined


def complaint_event_data(
    complaint: Complaint, case: Case, complaint_type: ComplaintType
) -> dict[str, Any]:
    """The `complaint.created` payload; an anonymous reporter is never in it."""
    data: dict[str, Any] = {
        "complaint": complaint.reference,
        "case": case.reference,
        "type": complaint.type_key,
        "kind": complaint_type.kind,
        "department": complaint_type.department,
        "respondent": complaint.respondent.member_id if complaint.respondent else None,
        "listings": [listing.product_url for listing in complaint.listings.all()],
        "order": case.order.order_number if case.order_id else None,
        "reporters": case.reporter_count,
        "due_at": case.due_at.isoformat(),
    }
    if not complaint_type.reporter_anonymous:
        member = complaint.complainant_member
        data["complainant"] = member.member_id if member else None
    return data


def _open_report_case(complaint: Complaint) -> Case | None:
    return (
        Case.objects.select_for_update()
        .filter(
            kind="report",
            type_key=complaint.type_key,
            target_key=complaint.target_key,
            status__in=OPEN_STATUSES,
        )
        .first()
    )


def _new_case(complaint: Complaint, complaint_type: ComplaintType) -> Case:
    first = getattr(complaint, "first_listing", None) or complaint.listings.first()
    now = timezone.now()
    answer = complaint_type.respondent_answer
    answer_due = (
        now + timedelta(days=answer.days) if answer.allowed and complaint.respondent else None
    )
    # The time limit runs once the case can be decided: for urgent types at once, for the
    # others when the respondent has answered or their time to answer has passed.
    answer_due_for_clock = None if complaint_type.urgent else answer_due
    return Case.objects.create(
        reference=new_reference("CASE"),
        type_key=complaint.type_key,
        kind=complaint_type.kind,
        department=Department.objects.get(code=complaint_type.department),
        policy_version=current_policy_version(),
        respondent=complaint.respondent,
        target_key=complaint.target_key,
        listing=first if complaint.target_key.startswith("listing:") else None,
        order_id=int(complaint.target_key.split(":")[1])
        if complaint.target_key.startswith("order:")
        else None,
        urgent=complaint_type.urgent,
        due_at=due_time(answer_due_for_clock or now, complaint_type.time_limit),
        respondent_answer_due_at=answer_due,
        previous_case=getattr(complaint, "previous_case", None),
    )


# --- visitors ----------------------------------------------------------------------------------


def _queue_visitor_confirmation(complaint: Complaint) -> None:
    complaint_type = get_policy().types[complaint.type_key]
    queue_email(
        to=complaint.complainant_email,
        template="confirm_report",
        context={
            "reference": complaint.reference,
            "type_label": complaint_type.label,
            "link": absolute(confirm_report_path(confirmation_token(complaint))),
        },
    )


def _queue_account_confirmation(complaint: Complaint, user: Any) -> None:
    """A new account's filing waits until its owner confirms the address (the link of their
    sign-up, sent again): nothing is processed and nobody is told before."""
    complaint_type = get_policy().types[complaint.type_key]
    queue_email(
        to=complaint.complainant_email,
        template="confirm_account_to_file",
        context={
            "reference": complaint.reference,
            "type_label": complaint_type.label,
            "link": confirmation_link(user),
        },
    )


def file_once_confirmed(user: Any) -> list[Complaint]:
    """File what a user filed before confirming their address, now that it is confirmed."""
    if getattr(user, "email_verified_at", None) is None:
        return []
    filed = []
    waiting = Complaint.objects.filter(
        complainant=user, case__isnull=True, confirmed_at__isnull=True
    )
    for pk in list(waiting.order_by("created_at").values_list("pk", flat=True)):
        with transaction.atomic():
            complaint = Complaint.objects.select_for_update().get(pk=pk)
            if complaint.confirmed_at is not None:
                continue
            complaint.confirmed_at = timezone.now()
            complaint.save(update_fields=["confirmed_at"])
            complaint_type = get_policy().types[complaint.type_key]
            _file_into_case(complaint, complaint_type, actor=complaint.complainant)
            filed.append(complaint)
    return filed


def file_confirmed_accounts_waiting() -> int:
    """The sweep's safety net: filings of users whose address got confirmed some other way
    (an operator in the admin, say)."""
    users = (
        Complaint.objects.filter(
            case__isnull=True,
            confirmed_at__isnull=True,
            complainant__email_verified_at__isnull=False,
        )
        .values_list("complainant_id", flat=True)
        .distinct()
    )
    return sum(len(file_once_confirmed(user)) for user in User.objects.filter(pk__in=list(users)))


@dataclass(frozen=True)
class Confirmation:
    complaint: Complaint
    confirmed_now: bool  # False: it was confirmed before (a link works once)


def confirm_visitor_report(token: str) -> Confirmation | None:
    """File a visitor's report: they confirmed, through the link sent to their email, that the
    address is theirs. None for a link that is not valid (or has expired)."""
    complaint = complaint_to_confirm(token)
    if complaint is None:
        return None
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if complaint.confirmed_at is not None:
            return Confirmation(complaint, confirmed_now=False)
        complaint.confirmed_at = timezone.now()
        complaint.save(update_fields=["confirmed_at"])
        _file_into_case(complaint, get_policy().types[complaint.type_key], actor=None)
    return Confirmation(complaint, confirmed_now=True)


# --- notices -----------------------------------------------------------------------------------


def _queue_receipt(complaint: Complaint, case: Case) -> None:
    complaint_type = get_policy().types[complaint.type_key]
    answer = complaint_type.respondent_answer
    notify_user(
        complaint.complainant,
        kind="received",
        title=f"We received your {complaint_type.label.lower()} {complaint.reference}",
        url=complaint_path(complaint.reference),
    )
    queue_email(
        to=complaint.complainant_email,
        template="complaint_received",
        context={
            "name": complaint.complainant_name,
            "reference": complaint.reference,
            "type_label": complaint_type.label,
            "due": when(case.due_at, zone=True),
            "answer_days": answer.days if answer.allowed and not complaint_type.urgent else None,
            "link": complaint_link(complaint),
        },
    )


def _queue_respondent_notice(
    case: Case, complaint: Complaint, complaint_type: ComplaintType
) -> None:
    """Tell the respondent; for anonymous reports, nothing that identifies the reporter."""
    respondent = case.respondent
    assert respondent is not None
    answer = complaint_type.respondent_answer
    notify_user(
        getattr(respondent, "user", None),
        kind="complaint_against_you",
        title=f"{complaint_type.label} about you: {case.reference}",
        url=complaint_path(case.reference),
    )
    queue_email(
        to=respondent.email,
        template="complaint_against_you",
        context={
            "reference": case.reference,
            "type_label": complaint_type.label,
            "kind": complaint_type.kind,
            "respondent_name": respondent.display_name,
            "listing_title": case.listing.title if case.listing else "",
            "complainant_name": None
            if complaint_type.reporter_anonymous
            else complaint.complainant_name,
            "answer_days": answer.days if answer.allowed else None,
            "link": absolute(complaint_path(case.reference)),
        },
    )
