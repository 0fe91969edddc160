"""Every change of a case happens here: one function an event, one transaction each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from ombuds.accounts.models import Department
from ombuds.cases.deadlines import due_time
from ombuds.cases.history import record_event
from ombuds.cases.models import OPEN_STATUSES, Case, Complaint, new_reference
from ombuds.cases.visitors import complaint_from_visitor_token, complaint_link, visitor_token
from ombuds.intake.checks import CheckedSubmission, Filer, Submission, check_submission
from ombuds.intake.errors import FieldError, SubmissionRefused
from ombuds.notify.inbox import notify_user
from ombuds.notify.outbox import queue_email
from ombuds.notify.webhooks import queue_webhook
from ombuds.policy.loader import get_policy
from ombuds.policy.versions import current_policy_version


@dataclass(frozen=True)
class Filed:
    complaint: Complaint
    joined_existing_case: bool
    awaiting_confirmation: bool


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
        {"duplicate": duplicate.reference, "url": reverse("complaint", args=[duplicate.reference])},
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
        complaint = _create_complaint(checked, filer, via)
        complaint.previous_case = previous_case  # type: ignore[attr-defined]
        if filer.user is None:
            _queue_visitor_confirmation(complaint)
            return Filed(complaint, joined_existing_case=False, awaiting_confirmation=True)
        joined = _file_into_case(complaint, checked.complaint_type, actor=filer.user)
    return Filed(complaint, joined_existing_case=joined, awaiting_confirmation=False)


def _create_complaint(checked: CheckedSubmission, filer: Filer, via: str) -> Complaint:
    now = timezone.now()
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
        confirmed_at=now if filer.user else None,
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


def _file_into_case(complaint: Complaint, complaint_type: Any, *, actor: Any) -> bool:
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
        data = {"complaint": complaint.reference, "reporters": case.reporter_count}
        record_event(case, "reporter_joined", actor=actor, complaint=complaint, data=data)
    else:
        data = {"complaint": complaint.reference, "type": complaint.type_key}
        record_event(case, "complaint_filed", actor=actor, complaint=complaint, data=data)
    _queue_receipt(complaint, case)
    if not joined and case.respondent is not None:
        _queue_respondent_notice(case, complaint, complaint_type)
    queue_webhook("complaint.created", complaint_event_data(complaint, case, complaint_type))
    return joined


def complaint_event_data(complaint: Complaint, case: Case, complaint_type: Any) -> dict[str, Any]:
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


def _new_case(complaint: Complaint, complaint_type: Any) -> Case:
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


# --- visitors ---------------------------------------------------------------------------------


def _queue_visitor_confirmation(complaint: Complaint) -> None:
    complaint_type = get_policy().types[complaint.type_key]
    link = settings.OMBUDS_BASE_URL + reverse("confirm_report", args=[visitor_token(complaint)])
    queue_email(
        to=complaint.complainant_email,
        template="confirm_report",
        context={
            "reference": complaint.reference,
            "type_label": complaint_type.label,
            "link": link,
        },
    )


def confirm_visitor_report(token: str) -> Complaint | None:
    """File a visitor's report once they open the link sent to their email."""
    complaint = complaint_from_visitor_token(token)
    if complaint is None:
        return None
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if complaint.case_id is None:
            complaint.confirmed_at = timezone.now()
            complaint.save(update_fields=["confirmed_at"])
            _file_into_case(complaint, get_policy().types[complaint.type_key], actor=None)
    return complaint


# --- notices ----------------------------------------------------------------------------------


def _when(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%-d %B %Y, %H:%M %Z")


def _queue_receipt(complaint: Complaint, case: Case) -> None:
    complaint_type = get_policy().types[complaint.type_key]
    answer = complaint_type.respondent_answer
    notify_user(
        complaint.complainant,
        kind="received",
        title=f"We received your {complaint_type.label.lower()} {complaint.reference}",
        url=reverse("complaint", args=[complaint.reference]),
    )
    queue_email(
        to=complaint.complainant_email,
        template="complaint_received",
        context={
            "name": complaint.complainant_name,
            "reference": complaint.reference,
            "type_label": complaint_type.label,
            "due": _when(case.due_at),
            "answer_days": answer.days if answer.allowed and not complaint_type.urgent else None,
            "link": complaint_link(complaint),
        },
    )


def _queue_respondent_notice(case: Case, complaint: Complaint, complaint_type: Any) -> None:
    """Tell the respondent; for anonymous reports, nothing that identifies the reporter."""
    respondent = case.respondent
    assert respondent is not None
    answer = complaint_type.respondent_answer
    notify_user(
        getattr(respondent, "user", None),
        kind="complaint_against_you",
        title=f"{complaint_type.label} about you: {case.reference}",
        url=reverse("complaint", args=[case.reference]),
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
            "link": settings.OMBUDS_BASE_URL + reverse("complaint", args=[case.reference]),
        },
    )
